"""The wire contract as test data: the example requests, responses and errors of the API documents.

`tests/contract/data/` holds, as JSON, what Certifier's v1 documents (groups and credential
templates, in the older and the newer wording) and COSMIC's v1 `POST /v1/certifications` show:
the method, path, request body, response body and documented errors of each example. The suite
reads nothing outside the repository.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONTRACT_DATA = Path(__file__).resolve().parent / "data"


@dataclass
class SeedExample:
    name: str
    method: str
    path: str
    request: dict[str, Any]
    response: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def error_codes(self) -> list[str]:
        return [error["error"]["code"] for error in self.errors]


def load_seed(path: Path) -> SeedExample:
    data = json.loads(path.read_text())
    return SeedExample(
        name=path.stem,
        method=data["method"],
        path=data["path"],
        request=data["request"],
        response=data["response"],
        errors=data.get("errors", []),
    )


def certifier_seeds() -> list[Path]:
    return sorted(CONTRACT_DATA.glob("certifier-*.json"))


def cosmic_certification_example() -> SeedExample:
    return load_seed(CONTRACT_DATA / "cosmic-certifications-create.json")
