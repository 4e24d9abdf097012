"""Locks the wire shape of each supported API version.

Any change to a request or response schema of version 2022-10-26 fails here. If the change is
meant, it is either compatible (regenerate with LAUREL_UPDATE_SNAPSHOTS=1) or it needs a new
version with a VersionChange in laurel.kit.versioning.
"""

import json
import os
from pathlib import Path

from laurel.app import create_app
from laurel.config import Environment, Settings
from laurel.kit.versioning import CERTIFIER_VERSIONS

SNAPSHOTS = Path(__file__).parent / "snapshots"


def _wire_shape(tmp_path: Path) -> dict[str, object]:
    settings = Settings(env=Environment.testing, database_url=f"sqlite:///{tmp_path}/x.db")
    document = create_app(settings).openapi()
    return {
        "paths": {
            path: {
                method: {
                    "requestBody": operation.get("requestBody"),
                    "parameters": operation.get("parameters"),
                    "responses": sorted(operation["responses"]),
                }
                for method, operation in item.items()
            }
            for path, item in document["paths"].items()
        },
        "schemas": document["components"]["schemas"],
    }


def test_each_supported_version_keeps_its_schema(tmp_path: Path) -> None:
    shape = _wire_shape(tmp_path)
    for version in CERTIFIER_VERSIONS.dates:
        snapshot = SNAPSHOTS / f"openapi-{version}.json"
        rendered = json.dumps(shape, indent=1, sort_keys=True) + "\n"
        if os.environ.get("LAUREL_UPDATE_SNAPSHOTS") == "1":
            snapshot.write_text(rendered)
        assert snapshot.exists(), f"no snapshot for {version}; run with LAUREL_UPDATE_SNAPSHOTS=1"
        assert json.loads(snapshot.read_text()) == json.loads(rendered), (
            f"the {version} API schema changed; see this test's docstring"
        )
