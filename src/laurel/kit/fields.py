"""Field types shared by request schemas."""

import re
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, EmailStr, PlainSerializer, StringConstraints

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

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _require_iso_date_text(value: Any) -> Any:
    # Pydantic would also take timestamps and datetimes; Certifier's dates are YYYY-MM-DD only.
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    if not isinstance(value, str | date):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


CalendarDate = Annotated[
    date,
    BeforeValidator(_require_iso_date_text),
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
]

PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
EmailAddress = Annotated[EmailStr, StringConstraints(max_length=320)]
