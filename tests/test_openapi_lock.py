"""Locks the wire shape of each supported API version, and of the records API.

Any change to a request or response schema of Certifier version 2022-10-26 fails here. If the
change is meant, it is either compatible (regenerate with LAUREL_UPDATE_SNAPSHOTS=1) or it needs
a new version with a VersionChange in laurel.kit.versioning. The records (COSMIC-compatible) API
has no versions; its snapshot guards against changing its wire shape by accident.
"""

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from laurel.app import create_app
from laurel.config import Environment, Settings
from laurel.kit.errors import ErrorFormat
from laurel.kit.versioning import CERTIFIER_VERSIONS

SNAPSHOTS = Path(__file__).parent / "snapshots"
COMPONENT = "#/components/schemas/"


def _is_records_path(app: FastAPI, path: str) -> bool:
    """The records API's paths (those answering problem details) and its OAuth server's."""
    speaks_problems = app.state.error_formats.for_path(path) is ErrorFormat.problem_details
    return speaks_problems or path.startswith("/auth/")


def _references(value: Any) -> set[str]:
    if isinstance(value, dict):
        reference = value.get("$ref")
        found = (
            {reference.removeprefix(COMPONENT)}
            if isinstance(reference, str) and reference.startswith(COMPONENT)
            else set()
        )
        return found.union(*(_references(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_references(item) for item in value))
    return set()


def _wire_shape(tmp_path: Path, include: Callable[[FastAPI, str], bool]) -> dict[str, object]:
    settings = Settings(env=Environment.testing, database_url=f"sqlite:///{tmp_path}/x.db")
    app = create_app(settings)
    document = app.openapi()
    paths = {path: item for path, item in document["paths"].items() if include(app, path)}
    schemas = document["components"]["schemas"]
    used, pending = set(), _references(paths)
    while pending:
        name = pending.pop()
        used.add(name)
        pending |= _references(schemas[name]) - used
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
            for path, item in paths.items()
        },
        "schemas": {name: schemas[name] for name in sorted(used)},
    }


def _check(snapshot: Path, shape: dict[str, object]) -> None:
    rendered = json.dumps(shape, indent=1, sort_keys=True) + "\n"
    if os.environ.get("LAUREL_UPDATE_SNAPSHOTS") == "1":
        snapshot.write_text(rendered)
    assert snapshot.exists(), f"no {snapshot.name}; run with LAUREL_UPDATE_SNAPSHOTS=1"
    assert json.loads(snapshot.read_text()) == json.loads(rendered), (
        f"{snapshot.name}: the API schema changed; see this test's docstring"
    )


def test_each_supported_version_keeps_its_schema(tmp_path: Path) -> None:
    shape = _wire_shape(tmp_path, lambda app, path: not _is_records_path(app, path))
    for version in CERTIFIER_VERSIONS.dates:
        _check(SNAPSHOTS / f"openapi-{version}.json", shape)


def test_the_records_api_keeps_its_schema(tmp_path: Path) -> None:
    _check(SNAPSHOTS / "openapi-records-v1.json", _wire_shape(tmp_path, _is_records_path))
