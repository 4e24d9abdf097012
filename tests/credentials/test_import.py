"""`laurel credentials import`: every row checked first, batches, and safe re-runs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from laurel.config import Settings
from laurel.credentials.importer import plan_import, run_import
from laurel.db import Database
from laurel.delivery.repository import OutboxRepository
from tests.conftest import CertifierClient, Tenant
from tests.credentials.conftest import create_credential


def write_csv(
    path: Path, rows: list[str], header: str = "Name,Email,Issue Date,custom.mentor"
) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def run_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "LAUREL_DATABASE_URL": settings.database_url,
        "LAUREL_LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [sys.executable, "-m", "laurel", "credentials", "import", *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
async def mentor_defined(api: CertifierClient) -> None:
    response = await api.request("POST", "/v1/attributes", json={"tag": "mentor", "name": "Mentor"})
    assert response.status_code == 200


async def count(api: CertifierClient) -> int:
    found = await api.request("POST", "/v1/credentials/search", json={"limit": 100})
    return len(found.json()["data"])


async def test_bad_rows_are_reported_by_line_and_nothing_is_written(
    api: CertifierClient, group_id: str, settings: Settings, tmp_path: Path, mentor_defined: None
) -> None:
    csv_file = write_csv(
        tmp_path / "people.csv",
        ["Ada,ada@example.org,2024-01-02,Jane", ",nobody@example.org,,", "Grace,not-an-email,,",
         "Alan,alan@example.org,02/01/2024,"],
    )  # fmt: skip
    result = run_cli(settings, str(csv_file), "--group", group_id)
    assert result.returncode == 1
    assert "line 3: name is required" in result.stderr
    assert "line 4: email 'not-an-email'" in result.stderr
    assert "line 5: issue_date '02/01/2024'" in result.stderr
    assert "3 bad rows; nothing was imported" in result.stderr
    assert await count(api) == 0


async def test_an_unknown_custom_column_is_refused(
    api: CertifierClient, group_id: str, settings: Settings, tmp_path: Path
) -> None:
    csv_file = write_csv(tmp_path / "p.csv", ["Ada,ada@example.org,,Jane"])
    result = run_cli(settings, str(csv_file), "--group", group_id)
    assert result.returncode == 1
    assert "custom.mentor is not an attribute" in result.stderr


async def test_import_then_run_again_creates_nothing_twice(
    api: CertifierClient, group_id: str, settings: Settings, database: Database, tmp_path: Path,
    mentor_defined: None,
) -> None:  # fmt: skip
    rows = [
        f"Person {n},person{n}@example.org,2024-03-{n % 28 + 1:02d},Mentor {n}" for n in range(25)
    ]
    rows.append("No Email,,,")
    csv_file = write_csv(tmp_path / "people.csv", rows)
    first = run_cli(settings, str(csv_file), "--group", group_id, "--send", "--batch-size", "7")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == (
        "26 created, 0 already imported, 1 not emailed (no email address)"
    )
    again = run_cli(settings, str(csv_file), "--group", group_id, "--send", "--batch-size", "7")
    assert again.stdout.strip() == (
        "0 created, 26 already imported, 0 not emailed (no email address)"
    )
    assert await count(api) == 26
    found = await api.request(
        "POST", "/v1/credentials/search",
        json={"filter": {"recipient.email": {"equals": "person7@example.org"}}},
    )  # fmt: skip
    (person7,) = found.json()["data"]
    assert person7["status"] == "issued"
    assert person7["issueDate"] == "2024-03-08"
    assert person7["customAttributes"] == {"custom.mentor": "Mentor 7"}
    async with database.sessions() as session:
        emails = await OutboxRepository(session).list_jobs("held", 100)
    assert len(emails) == 25, "one email per credential with an address, even after a re-run"


async def test_an_interrupted_import_finishes_on_the_next_run(
    api: CertifierClient, group_id: str, settings: Settings, database: Database, tenant: Tenant,
    tmp_path: Path,
) -> None:  # fmt: skip
    await create_credential(api, group_id)  # unrelated, must stay alone
    csv_file = write_csv(
        tmp_path / "people.csv", [f"P{n},p{n}@example.org,," for n in range(30)],
        header="name,email,issue_date,expiry_date",
    )  # fmt: skip
    plan = await plan_import(database, tenant.organization_id, csv_file)
    assert plan.rows == 30 and plan.error_count == 0

    def interrupt(_: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        await run_import(
            database, settings, plan, group_id, issue=False, send=False, batch_size=10,
            progress=interrupt,
        )  # fmt: skip
    assert await count(api) == 1 + 10
    result = await run_import(database, settings, plan, group_id, issue=False, send=False)
    assert (result.created, result.skipped) == (20, 10)
    assert await count(api) == 31
