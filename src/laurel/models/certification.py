"""Certification types and the certification records members hold, with their verifications."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from laurel.models.base import Base, IdMixin, TimestampMixin, UTCDateTime


class TypeScope(StrEnum):
    standard = "standard"
    organization = "organization"


class TypeStatus(StrEnum):
    active = "active"
    archived = "archived"


class CertificationType(IdMixin, TimestampMixin, Base):
    __tablename__ = "certification_types"
    __table_args__ = (UniqueConstraint("organization_id", "slug"),)

    # None for a standard type, which every organization sees.
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), default=None
    )
    slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    scope: Mapped[str] = mapped_column(String(16), default=TypeScope.organization)
    status: Mapped[str] = mapped_column(String(16), default=TypeStatus.active)


class LifecycleStatus(StrEnum):
    active = "active"
    suspended = "suspended"
    revoked = "revoked"
    superseded = "superseded"


class RecordSource(StrEnum):
    manual = "manual"
    import_ = "import"
    api = "api"
    self_reported = "self-reported"


class VerificationStatus(StrEnum):
    unverified = "unverified"
    pending = "pending"
    verified = "verified"
    failed = "failed"
    needs_review = "needs_review"


class CertificationRecord(IdMixin, TimestampMixin, Base):
    __tablename__ = "certification_records"
    __table_args__ = (
        UniqueConstraint("organization_id", "external_source", "external_id"),
        Index("ix_certification_records_org_member", "organization_id", "organization_member_id"),
        Index("ix_certification_records_org_type", "organization_id", "certification_type_id"),
        Index("ix_certification_records_org_expires", "organization_id", "expires_on"),
    )

    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    organization_member_id: Mapped[str] = mapped_column(
        ForeignKey("organization_members.id", ondelete="CASCADE")
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    certification_type_id: Mapped[str] = mapped_column(
        ForeignKey("certification_types.id", ondelete="RESTRICT")
    )
    external_id: Mapped[str | None] = mapped_column(String(255), default=None)
    external_source: Mapped[str | None] = mapped_column(String(255), default=None)
    lifecycle_status: Mapped[str] = mapped_column(String(16), default=LifecycleStatus.active)
    source: Mapped[str] = mapped_column(String(16), default=RecordSource.api)
    issued_on: Mapped[date | None] = mapped_column(Date, default=None)
    expires_on: Mapped[date | None] = mapped_column(Date, default=None)
    issuer_name: Mapped[str | None] = mapped_column(String(255), default=None)
    serial_number: Mapped[str | None] = mapped_column(String(255), default=None)
    verification_status: Mapped[str] = mapped_column(
        String(16), default=VerificationStatus.unverified
    )
    verification_method: Mapped[str | None] = mapped_column(String(100), default=None)
    last_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    superseded_by_id: Mapped[str | None] = mapped_column(String(26), default=None)
    revocation_reason: Mapped[str | None] = mapped_column(String(1000), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    revoked_by_user_id: Mapped[str | None] = mapped_column(String(26), default=None)
    created_by_user_id: Mapped[str | None] = mapped_column(String(26), default=None)


class CertificationVerification(IdMixin, Base):
    """One verification of a record: append-only, the record keeps the latest outcome."""

    __tablename__ = "certification_verifications"

    certification_record_id: Mapped[str] = mapped_column(
        ForeignKey("certification_records.id", ondelete="CASCADE"), index=True
    )
    method: Mapped[str] = mapped_column(String(100))
    result: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str | None] = mapped_column(Text, default=None)
    verified_by_user_id: Mapped[str | None] = mapped_column(String(26), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
