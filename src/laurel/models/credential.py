from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from laurel.models.base import Base, IdMixin, TimestampMixin, UTCDateTime


class CredentialState(StrEnum):
    """What is stored. The API's `status` also derives `scheduled` (a draft with `scheduled_at`,
    or an issued credential with a future issue date) and `expired` from the dates."""

    draft = "draft"
    issued = "issued"


class Credential(IdMixin, TimestampMixin, Base):
    __tablename__ = "credentials"
    __table_args__ = (
        Index("ix_credentials_organization_id_id", "organization_id", "id"),
        # The web app's table, newest first: its first page reads 26 entries of this index.
        Index("ix_credentials_org_created", "organization_id", "created_at", "id"),
        # The table filtered by template, newest first, read in order.
        Index(
            "ix_credentials_org_group_created", "organization_id", "group_id", "created_at", "id"
        ),
        UniqueConstraint("organization_id", "import_key"),
    )

    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    # RESTRICT: a template with credentials cannot be deleted.
    group_id: Mapped[str] = mapped_column(ForeignKey("groups.id", ondelete="RESTRICT"), index=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    state: Mapped[str] = mapped_column(String(16), default=CredentialState.draft)
    recipient_id: Mapped[str] = mapped_column(String(26))
    recipient_name: Mapped[str] = mapped_column(String(255))
    recipient_email: Mapped[str | None] = mapped_column(String(320), index=True)
    issue_date: Mapped[date] = mapped_column(Date)
    expiry_date: Mapped[date | None] = mapped_column(Date)
    custom_attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Set by the CSV import: the same file line imported twice is one credential.
    import_key: Mapped[str | None] = mapped_column(String(64))
    # The signed Open Badges 3.0 credential, made when the credential is issued.
    verifiable_credential: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    revocation_reason: Mapped[str | None] = mapped_column(String(1000), default=None)
    revoked_by: Mapped[str | None] = mapped_column(String(26), default=None)
    # A draft to be issued and sent at this moment by the worker (`POST /{id}/schedule`).
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class Attribute(IdMixin, TimestampMixin, Base):
    """A custom attribute an organization defines, such as `custom.mentor`."""

    __tablename__ = "attributes"
    __table_args__ = (UniqueConstraint("organization_id", "tag"),)

    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(255))
    default_value: Mapped[str | None] = mapped_column(String(1000))


class CredentialInteraction(IdMixin, Base):
    __tablename__ = "credential_interactions"
    __table_args__ = (
        Index("ix_credential_interactions_org_credential", "organization_id", "credential_id"),
        # The home page's weekly charts: a range of the index per type, covering.
        Index(
            "ix_credential_interactions_org_type_time",
            "organization_id",
            "event_type",
            "triggered_at",
        ),
    )

    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    credential_id: Mapped[str] = mapped_column(ForeignKey("credentials.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(64))
    triggered_by: Mapped[str] = mapped_column(String(16))
    triggered_at: Mapped[datetime] = mapped_column(UTCDateTime())
