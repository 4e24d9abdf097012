"""Credential shapes, as Certifier's v1 API has them (`recipient`, YYYY-MM-DD dates, camelCase)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StrictInt, StringConstraints, model_validator

from laurel.issuer_api import CamelModel
from laurel.kit.errors import ValidationFailed
from laurel.kit.fields import (
    CalendarDate,
    EmailAddress,
    PersonName,
    ResourceId,
    ZonedTimestamp,
)
from laurel.kit.timestamps import Timestamp
from laurel.kit.updates import refuse_nulls

CredentialStatus = Literal["draft", "scheduled", "issued", "expired", "revoked"]

# Tags and values as bounded as the attributes' own definitions (tag 70, defaultValue 1000).
CustomAttributeValues = dict[
    Annotated[str, StringConstraints(max_length=70)],
    Annotated[str, StringConstraints(max_length=1000)],
]


class RecipientIn(CamelModel):
    name: PersonName
    email: EmailAddress | None = None


class RecipientPatch(CamelModel):
    name: PersonName | None = None
    email: EmailAddress | None = None


def _check_dates(issue: date | None, expiry: date | None) -> None:
    if issue is not None and expiry is not None and expiry < issue:
        raise ValidationFailed("expiryDate: must not be before issueDate", param="expiryDate")


class CredentialCreate(CamelModel):
    group_id: ResourceId = Field(description="The credential template to issue from.")
    recipient: RecipientIn
    issue_date: CalendarDate | None = Field(default=None, description="Default: today (UTC).")
    expiry_date: CalendarDate | None = None
    custom_attributes: CustomAttributeValues = Field(
        default_factory=dict,
        description='Values of the organization\'s custom attributes: `{"custom.mentor": "Jane"}`.',
    )

    @model_validator(mode="after")
    def _dates_in_order(self) -> "CredentialCreate":
        _check_dates(self.issue_date, self.expiry_date)
        return self


_EMAIL_TEMPLATE_DESCRIPTION = (
    "The email template to send with; default: the credential template's, else the built-in email."
)


class CreateIssueSendRequest(CredentialCreate):
    """A credential to create, issue and email; without `recipient.email` it is issued only."""

    email_template_id: ResourceId | None = Field(
        default=None, description=_EMAIL_TEMPLATE_DESCRIPTION
    )


class CredentialUpdate(CamelModel):
    """Only what is sent changes; `expiryDate: null` clears it."""

    recipient: RecipientPatch | None = None
    issue_date: CalendarDate | None = None
    expiry_date: CalendarDate | None = None
    custom_attributes: CustomAttributeValues | None = None

    @model_validator(mode="after")
    def _no_nulls_where_required(self) -> "CredentialUpdate":
        refuse_nulls(self, "recipient", "issue_date", "custom_attributes")
        recipient = self.recipient
        if (
            recipient is not None
            and "name" in recipient.model_fields_set
            and recipient.name is None
        ):
            raise ValidationFailed("recipient.name: may not be null", param="recipient.name")
        _check_dates(self.issue_date, self.expiry_date)
        return self


class SendRequest(CamelModel):
    delivery_method: Literal["email"] = "email"
    email_template_id: ResourceId | None = Field(
        default=None, description=_EMAIL_TEMPLATE_DESCRIPTION
    )


class ScheduleRequest(CamelModel):
    scheduled_at: ZonedTimestamp = Field(
        description="When to issue and send the credential: an RFC 3339 timestamp with a time "
        "zone, in the future and at most 365 days ahead (`2026-12-01T09:00:00.000Z`)."
    )


class RecipientRead(CamelModel):
    id: str
    name: str
    email: str | None


class CredentialRead(CamelModel):
    id: str
    public_id: str
    group_id: str
    status: CredentialStatus
    recipient: RecipientRead
    issue_date: CalendarDate
    expiry_date: CalendarDate | None
    attributes: dict[str, str | None]
    custom_attributes: dict[str, str]
    created_at: Timestamp
    updated_at: Timestamp


def status_on(
    state: str,
    issue_date: date,
    expiry_date: date | None,
    today: date,
    revoked: bool = False,
    scheduled: bool = False,
) -> CredentialStatus:
    """The API's status: what is stored, read against today's date.

    `scheduled` is either kind: a draft the worker will issue at its `scheduled_at`, or an issued
    credential whose issue date is still to come.
    """
    if state == "draft":
        return "scheduled" if scheduled else "draft"
    if revoked:
        return "revoked"
    if issue_date > today:
        return "scheduled"
    if expiry_date is not None and expiry_date < today:
        return "expired"
    return "issued"


@dataclass(frozen=True)
class CredentialView:
    """A credential as the API shows it, with its template's name for the attributes."""

    id: str
    public_id: str
    group_id: str
    group_name: str
    state: str
    recipient_id: str
    recipient_name: str
    recipient_email: str | None
    issue_date: date
    expiry_date: date | None
    custom_attributes: dict[str, str]
    created_at: datetime
    updated_at: datetime
    revoked_at: datetime | None = None
    scheduled_at: datetime | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any], group_name: str) -> "CredentialView":
        """The view of a row just written, without reading it back."""
        return cls(group_name=group_name, **{name: row[name] for name in _ROW_FIELDS})

    def to_read(self, today: date, custom_defaults: dict[str, str | None]) -> CredentialRead:
        attributes: dict[str, str | None] = {
            "recipient.name": self.recipient_name,
            "recipient.email": self.recipient_email,
            "group.name": self.group_name,
            "credential.issueDate": self.issue_date.isoformat(),
            "credential.expiryDate": self.expiry_date.isoformat() if self.expiry_date else None,
            "credential.publicId": self.public_id,
            # Certifier's older design attributes, kept as aliases.
            "certificate.uuid": self.public_id,
            "certificate.issued_on": self.issue_date.isoformat(),
        }
        attributes |= custom_defaults | self.custom_attributes
        return CredentialRead(
            id=self.id,
            public_id=self.public_id,
            group_id=self.group_id,
            status=status_on(
                self.state,
                self.issue_date,
                self.expiry_date,
                today,
                revoked=self.revoked_at is not None,
                scheduled=self.scheduled_at is not None,
            ),
            recipient=RecipientRead(
                id=self.recipient_id, name=self.recipient_name, email=self.recipient_email
            ),
            issue_date=self.issue_date,
            expiry_date=self.expiry_date,
            attributes=attributes,
            custom_attributes=self.custom_attributes,
            created_at=self.created_at,
            updated_at=self.updated_at,
        )


_ROW_FIELDS = (
    "id",
    "public_id",
    "group_id",
    "state",
    "recipient_id",
    "recipient_name",
    "recipient_email",
    "issue_date",
    "expiry_date",
    "custom_attributes",
    "created_at",
    "updated_at",
)


class SearchSort(CamelModel):
    property: Literal["id", "createdAt", "updatedAt", "issueDate", "expiryDate"] = "createdAt"
    order: Literal["asc", "desc"] = "desc"


class SearchRequest(CamelModel):
    filter: dict[str, Any] | None = None
    sort: SearchSort | None = None
    cursor: str | None = Field(default=None, max_length=200)
    limit: StrictInt = Field(default=20, ge=1, le=100)
