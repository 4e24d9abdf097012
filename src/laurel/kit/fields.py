"""Field types shared by request schemas."""

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, StringConstraints

from laurel.kit.ids import ULID_PATTERN

ResourceId = Annotated[
    str, StringConstraints(pattern=ULID_PATTERN.pattern, min_length=26, max_length=26)
]


def _require_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        raise ValueError("must be an absolute http:// or https:// URL")
    return value


HttpUrlText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2048),
    AfterValidator(_require_http_url),
]
