from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints, ValidationInfo, field_validator

from laurel.kit.fields import CalendarDate, sent_at_most
from laurel.kit.ids import UuidId
from laurel.kit.timestamps import SecondsTimestamp
from laurel.models import LifecycleStatus, RecordSource, TypeScope, TypeStatus, VerificationStatus
from laurel.records_api import SnakeModel

Text255 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255), sent_at_most(255)
]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,99}$")]
ValidityStatus = Literal["valid", "expiring", "expired", "not_yet_valid"]


class CertificationTypeCreate(SnakeModel):
    slug: Slug
    title: Text255
    description: Annotated[str, StringConstraints(max_length=5000)] | None = None
    scope: TypeScope = TypeScope.organization
    status: TypeStatus = TypeStatus.active


class CertificationTypeUpdate(SnakeModel):
    title: Text255 | None = None
    description: Annotated[str, StringConstraints(max_length=5000)] | None = None
    status: TypeStatus | None = None


class CertificationTypeRead(SnakeModel):
    id: UuidId
    organization_id: UuidId | None
    slug: str
    title: str
    description: str | None
    scope: TypeScope
    status: TypeStatus
    created_at: SecondsTimestamp
    updated_at: SecondsTimestamp


class CertificationTypeSummary(SnakeModel):
    id: UuidId
    slug: str
    title: str
    status: TypeStatus


class CertificationFields(SnakeModel):
    external_id: Text255 | None = None
    external_source: Text255 | None = None
    issued_on: CalendarDate | None = None
    expires_on: CalendarDate | None = None
    issuer_name: Text255 | None = None
    serial_number: Text255 | None = None

    @field_validator("expires_on")
    @classmethod
    def _not_before_issue(cls, expires_on: date | None, info: ValidationInfo) -> date | None:
        issued_on = info.data.get("issued_on")
        if issued_on is not None and expires_on is not None and expires_on < issued_on:
            raise ValueError("must not be before issued_on")
        return expires_on


class CertificationCreate(CertificationFields):
    """Create a certification; on organization routes `organization_member_id` is required."""

    organization_member_id: UUID | None = None
    certification_type_id: UUID
    source: RecordSource = RecordSource.manual


class CertificationUpdate(CertificationFields):
    """Only what is sent changes; statuses change only through actions."""


class CertificationRenewal(CertificationFields):
    """The renewed certification's details; the old record is superseded by the new one."""


class RevokeRequest(SnakeModel):
    reason: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=1000),
        sent_at_most(1000),
    ]


class CertificationRead(SnakeModel):
    id: UuidId
    organization_id: UuidId
    organization_member_id: UuidId
    user_id: UuidId
    external_id: str | None
    external_source: str | None
    certification_type_id: UuidId
    lifecycle_status: LifecycleStatus
    source: RecordSource
    issued_on: date | None
    expires_on: date | None
    issuer_name: str | None
    serial_number: str | None
    verification_status: VerificationStatus
    validity_status: ValidityStatus
    verification_method: str | None
    last_verified_at: SecondsTimestamp | None
    created_at: SecondsTimestamp
    updated_at: SecondsTimestamp
    certification_type: CertificationTypeSummary


VerificationResult = Literal["pending", "verified", "failed", "needs_review"]


class VerificationCreate(SnakeModel):
    method: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
        sent_at_most(100),
    ]
    result: VerificationResult
    notes: Annotated[str, StringConstraints(max_length=5000)] | None = None


class VerificationRead(SnakeModel):
    id: UuidId
    certification_id: UuidId = Field(validation_alias="certification_record_id")
    method: str
    result: VerificationResult
    notes: str | None
    verified_by_user_id: UuidId | None
    created_at: SecondsTimestamp


class CertificationFilters(SnakeModel):
    organization_member_id: UUID | None = None
    certification_type_id: UUID | None = None
    lifecycle_status: LifecycleStatus | None = None
    verification_status: VerificationStatus | None = None
    validity_status: ValidityStatus | None = None
    expires_before: CalendarDate | None = None
    expiring_within_days: Annotated[int, Field(ge=0, le=3650)] | None = None
