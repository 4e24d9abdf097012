"""Reads the Certifier API documents in ../shared/seeds: the example request and JSON bodies."""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SEEDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"
_CURL = re.compile(r'curl -X (?P<method>[A-Z]+) "https://api\.certifier\.io(?P<path>/v1/[^"]+)"')
_BODY = re.compile(r"-d '(?P<body>.*?)'", re.DOTALL)


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


def _json_objects(text: str) -> list[dict[str, Any]]:
    decoder = json.JSONDecoder()
    objects, position = [], 0
    while (start := text.find("{", position)) != -1:
        try:
            value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            position = start + 1
            continue
        objects.append(value)
        position = end
    return objects


def load_seed(path: Path) -> SeedExample:
    text = path.read_text()
    curl = _CURL.search(text)
    assert curl, f"{path.name}: no curl example"
    body = _BODY.search(text, curl.end())
    assert body, f"{path.name}: no request body"
    after_request = text[body.end() :]
    objects = _json_objects(after_request)
    return SeedExample(
        name=path.name,
        method=curl["method"],
        path=curl["path"],
        request=json.loads(body["body"]),
        response=objects[0],
        errors=[obj for obj in objects[1:] if "error" in obj],
    )


def certifier_seeds() -> list[Path]:
    return sorted(path for path in SEEDS_DIR.glob("00[0-3]_*.txt"))
