from datetime import datetime

from sqlalchemy import JSON, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from laurel.models.base import Base, IdMixin, UTCDateTime


class IdempotencyKey(IdMixin, Base):
    """A POST's `Idempotency-Key`, its request fingerprint and, once done, its response."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    scope: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The response headers that are part of the answer (`Laurel-Delivery`), replayed with it.
    response_headers: Mapped[dict[str, str] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # Who is running the request (kit/owners: host, machine, pid, nonce) and when it last said
    # it still is (its lease, renewed every few seconds while it runs). NULL on keys kept before
    # owners were recorded.
    owner: Mapped[str | None] = mapped_column(String(255))
    owner_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
