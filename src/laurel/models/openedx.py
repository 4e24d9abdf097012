"""An organization's Open edX connection: where its template events go, the events, its badges."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from laurel.models.base import Base, IdMixin, TimestampMixin, UTCDateTime


class OpenEdxConnection(TimestampMixin, Base):
    """The Open edX Credentials service an organization's template changes are pushed to."""

    __tablename__ = "openedx_connections"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    # Open edX's `https://<credentials-host>/badges/credly/webhook/`; None: no push.
    webhook_url: Mapped[str | None] = mapped_column(String(2048), default=None)


class BadgeTemplateEvent(IdMixin, Base):
    """A credential template created, changed or deleted, as Open edX reads it back by id.

    The template's name is kept as it was, so that a deleted template's event still answers.
    """

    __tablename__ = "badge_template_events"
    __table_args__ = (Index("ix_badge_template_events_org_id", "organization_id", "id"),)

    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    # No foreign key: the event of a deleted template outlives it.
    group_id: Mapped[str] = mapped_column(String(26))
    event_type: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CredlyBadge(Base):
    """A badge awarded through the Credly-shaped API: one per template and recipient email.

    The unique key is what makes a repeated award (Open edX re-POSTs after an error) answer the
    existing badge, even when two awards race.
    """

    __tablename__ = "credly_badges"
    __table_args__ = (UniqueConstraint("organization_id", "group_id", "recipient_email"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    group_id: Mapped[str] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    recipient_email: Mapped[str] = mapped_column(String(320))
    # None only inside the transaction that claimed the key and is issuing the credential.
    credential_id: Mapped[str | None] = mapped_column(
        ForeignKey("credentials.id", ondelete="CASCADE"), index=True, default=None
    )
