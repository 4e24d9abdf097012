"""Field types shared by request schemas."""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

import email_validator
from pydantic import (
    AfterValidator,
    BeforeValidator,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from laurel.kit.ids import ULID_PATTERN


def sent_at_most(max_length: int) -> BeforeValidator:
    """The length limit of a trimmed text, on the text as sent.

    `StringConstraints(strip_whitespace=True, max_length=N)` trims first and measures after,
    so N characters and a space pass, while the schema it publishes says `maxLength: N` of what is
    sent. Put this after the constraints in `Annotated` (a before-validator wraps what precedes it,
    so it runs first): what is documented is what is enforced.
    """

    def refuse_longer(value: object) -> object:
        if isinstance(value, str) and len(value) > max_length:
            raise PydanticCustomError(
                "string_too_long",
                "String should have at most {max_length} characters",
                {"max_length": max_length},
            )
        return value

    return BeforeValidator(refuse_longer)


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
    sent_at_most(2048),
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

PersonName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255), sent_at_most(255)
]

# A self-hosted Laurel often serves an intranet (`name@corp.local`, `@intranet.internal`), where
# email-validator's list of special-use names would refuse real colleagues. Laurel accepts every
# syntactically valid address; whether it is deliverable is the SMTP server's business. The list
# is the library's documented switch, and Laurel is its only user in the process.
email_validator.SPECIAL_USE_DOMAIN_NAMES.clear()


def normalized_email(value: str) -> str:
    """The address as email-validator normalizes it; ValueError says what is wrong with it."""
    return email_validator.validate_email(
        value, check_deliverability=False, globally_deliverable=False
    ).normalized


def _email_field(value: str) -> str:
    try:
        return normalized_email(value)
    except email_validator.EmailNotValidError as error:
        raise ValueError(f"value is not a valid email address: {error}") from None


EmailAddress = Annotated[
    str,
    StringConstraints(max_length=320),
    AfterValidator(_email_field),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 320}),
]

# RFC 3339 `date-time`: `T` between date and time, seconds, and a zone (`Z` or `+hh:mm`) always.
_RFC3339_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})", re.IGNORECASE | re.ASCII
)


def _zoned_timestamp(value: Any) -> datetime:
    # Pydantic would also take numbers, dates alone and timestamps without a zone, whose moment
    # depends on where they are read.
    if not isinstance(value, str) or not _RFC3339_TIMESTAMP.fullmatch(value):
        raise ValueError(
            "must be an RFC 3339 timestamp with a time zone, such as 2026-12-01T09:00:00.000Z"
        )
    try:
        parsed = datetime.fromisoformat(value.upper())
    except ValueError as error:
        raise ValueError(f"'{value}' is not a valid timestamp ({error})") from None
    # UTC to the millisecond, as every timestamp Laurel stores and shows.
    return parsed.astimezone(UTC).replace(microsecond=parsed.microsecond // 1000 * 1000)


ZonedTimestamp = Annotated[datetime, BeforeValidator(_zoned_timestamp)]
