from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from laurel.models.base import Base, IdMixin, TimestampMixin, UTCDateTime


class WebhookEndpoint(IdMixin, TimestampMixin, Base):
    __tablename__ = "webhook_endpoints"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2048))
    event_types: Mapped[list[str]] = mapped_column(JSON)
    # The signing secret, encrypted under LAUREL_SECRET_KEY (it must be read back to sign).
    secret_encrypted: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class JobKind(StrEnum):
    email = "email"
    webhook = "webhook"
    sign = "sign"  # make the credential's signed Open Badges form, off the request path
    issue_scheduled = "issue_scheduled"  # issue and send a scheduled draft when its time comes
    openedx = "openedx"  # a Credly-shaped template event, POSTed to an Open edX webhook URL


class JobStatus(StrEnum):
    pending = "pending"
    held = "held"  # an email with no SMTP server configured: kept for `laurel outbox`
    delivered = "delivered"
    dead = "dead"  # gave up after the last retry


class OutboxJob(IdMixin, Base):
    """A message to deliver, written in the same transaction as the change it announces."""

    __tablename__ = "outbox_jobs"
    __table_args__ = (Index("ix_outbox_jobs_due", "status", "next_attempt_at"),)

    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    endpoint_id: Mapped[str | None] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[str | None] = mapped_column(String(26))
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DeliveryAttempt(IdMixin, Base):
    __tablename__ = "delivery_attempts"

    job_id: Mapped[str] = mapped_column(
        ForeignKey("outbox_jobs.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer)
