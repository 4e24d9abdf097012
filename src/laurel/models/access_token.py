from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from laurel.models.base import Base, IdMixin, TimestampMixin, UTCDateTime
from laurel.models.organization import Organization


class AccessToken(IdMixin, TimestampMixin, Base):
    """An API token of one organization; only the SHA-256 of the token is kept."""

    __tablename__ = "access_tokens"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Written from each process's memory of uses (tokens.usage), at most once a minute.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    organization: Mapped[Organization] = relationship(lazy="raise")
