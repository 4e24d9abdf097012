"""The bodies Open edX sends and reads, in Accredible's snake_case and date formats."""

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from laurel.kit.fields import EmailAddress, PersonName

# Open edX writes `issued_on` as `%Y-%m-%d %H:%M:%S %z` and `expired_on` from a naive
# `datetime.now()`, so `%z` is empty: `2026-11-30 01:02:03 ` (trailing space, no zone).
_FORMATS = ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S")


def parse_moment(value: object) -> datetime:
    """An Accredible date: either of Open edX's formats, or ISO 8601; no zone means UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        moment = _parse_text(value.strip())
    else:
        raise ValueError("must be a date and time such as 2026-11-30 01:02:03 +0000")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _parse_text(text: str) -> datetime:
    for pattern in _FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            "must be a date and time such as 2026-11-30 01:02:03 +0000 or ISO 8601"
        ) from None


Moment = Annotated[datetime, BeforeValidator(parse_moment)]


class AccredibleModel(BaseModel):
    # Open edX sends fields Laurel has no use for (`complete`, the group's `name`): ignored.
    model_config = ConfigDict(extra="ignore")


class AccredibleRecipientIn(AccredibleModel):
    name: PersonName
    email: EmailAddress


class AccredibleCredentialIn(AccredibleModel):
    recipient: AccredibleRecipientIn
    group_id: int = Field(
        ge=1, le=2**31 - 1, description="The credential template's integer id (`all_groups`)."
    )
    issued_on: Moment | None = Field(default=None, description="Default: now.")
    expired_on: Moment | None = None


class AccredibleCreateRequest(AccredibleModel):
    credential: AccredibleCredentialIn


class AccredibleExpiry(AccredibleModel):
    expired_on: Moment = Field(
        description="When the credential stops being valid; now or earlier also revokes it."
    )


class AccredibleUpdateRequest(AccredibleModel):
    credential: AccredibleExpiry


class AccredibleGroup(BaseModel):
    id: int
    name: str
    course_name: str
    course_description: str
    primary_design_id: int
    created_at: datetime
    updated_at: datetime


class AccrediblePageMeta(BaseModel):
    current_page: int
    next_page: int | None
    prev_page: int | None
    total_pages: int
    total_count: int


class AccredibleGroupList(BaseModel):
    groups: list[AccredibleGroup]
    meta: AccrediblePageMeta


class AccredibleDesign(BaseModel):
    id: int
    rasterized_content_url: str


class AccredibleDesignReply(BaseModel):
    design: AccredibleDesign


class AccredibleRecipient(BaseModel):
    name: str
    email: str | None


class AccredibleCredential(BaseModel):
    id: int
    name: str
    group_id: int
    group_name: str
    recipient: AccredibleRecipient
    issued_on: date
    expired_on: date | None
    complete: bool
    url: str


class AccredibleCredentialReply(BaseModel):
    credential: AccredibleCredential
