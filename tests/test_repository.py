"""What a new user of the repository relies on: a self-contained suite, a stated licence."""

import importlib.metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_no_test_reads_outside_the_repository() -> None:
    # The suite must pass on a clone anywhere: its data lives under tests/.
    beside = "shared"  # the workspace folder beside the checkout, which a clone does not have
    outside = (f"../{beside}", f'"{beside}"', "/work/")
    offenders = [
        f"{path.relative_to(ROOT)}: {marker}"
        for path in (ROOT / "tests").rglob("*.py")
        if path.name != "test_repository.py"
        for marker in outside
        if marker in path.read_text()
    ]
    assert offenders == []


def test_the_licence_is_stated_in_the_package_metadata() -> None:
    metadata = importlib.metadata.metadata("laurel")
    assert metadata["License-Expression"] == "AGPL-3.0-or-later"
    assert "GNU AFFERO GENERAL PUBLIC LICENSE" in (ROOT / "LICENSE").read_text()
