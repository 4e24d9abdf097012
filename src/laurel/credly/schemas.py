"""Credly's shapes, as Open edX's client sends and reads them (snake_case, `{"data": ...}`)."""

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from laurel.kit.fields import EmailAddress, sent_at_most

# Open edX writes `issued_at` as `YYYY-MM-DD HH:MM:SS +0000`; Credly's docs show ISO 8601.
_ISSUED_AT_FORMATS = ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S%z")


def _parse_issued_at(value: object) -> object:
    if not isinstance(value, str):
        # Text only, as the schema says: pydantic would read a number as Unix seconds.
        raise ValueError("expected 'YYYY-MM-DD HH:MM:SS +0000' or ISO 8601 as text")
    text = value.strip()
    for pattern in _ISSUED_AT_FORMATS:
        try:
            return datetime.strptime(text, pattern).astimezone(UTC)
        except ValueError:
            pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("expected 'YYYY-MM-DD HH:MM:SS +0000' or ISO 8601") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


IssuedAt = Annotated[datetime, BeforeValidator(_parse_issued_at)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120), sent_at_most(120)]


class CredlyModel(BaseModel):
    # Credly ignores what it does not know; Open edX's client may add fields over releases.
    model_config = ConfigDict(extra="ignore")


class BadgeCreate(CredlyModel):
    recipient_email: EmailAddress
    issued_to_first_name: Name = ""
    issued_to_last_name: Name = ""
    badge_template_id: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=64), sent_at_most(64)
    ]
    issued_at: IssuedAt | None = Field(default=None, description="Default: now.")

    @property
    def recipient_name(self) -> str:
        name = f"{self.issued_to_first_name} {self.issued_to_last_name}".strip()
        return name or self.recipient_email.split("@")[0]


class BadgeRevoke(CredlyModel):
    reason: Annotated[str, StringConstraints(max_length=1000)] = ""


class Owner(BaseModel):
    id: str


class BadgeTemplate(BaseModel):
    id: str
    name: str
    state: str
    description: str
    image_url: str
    owner: Owner


class TemplateSummary(BaseModel):
    id: str
    name: str
    image_url: str


class Badge(BaseModel):
    id: str
    state: str
    recipient_email: str | None
    issued_to: str
    issued_at: str
    accepted_at: str | None
    revoked_at: str | None
    revocation_reason: str | None
    badge_url: str
    image_url: str
    badge_template: TemplateSummary


class Organization(BaseModel):
    id: str
    name: str
    website_url: str | None
    contact_email: str | None
    photo_url: str | None


class ListMetadata(BaseModel):
    count: int
    current_page: int
    total_count: int
    total_pages: int
    per: int
    previous_page_url: str | None
    next_page_url: str | None


class TemplateList(BaseModel):
    data: list[BadgeTemplate]
    metadata: ListMetadata


class EventBody(BaseModel):
    badge_template: BadgeTemplate


Item = TypeVar("Item")


class Data(BaseModel, Generic[Item]):
    data: Item


def data_body(item: Any) -> dict[str, Any]:
    return {"data": item}
