from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from laurel.models.base import Base, IdMixin, TimestampMixin, UTCDateTime


class IssuerKey(IdMixin, Base):
    """An organization's Ed25519 signing key. Retired keys stay published for old credentials."""

    __tablename__ = "issuer_keys"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    public_multibase: Mapped[str] = mapped_column(String(64))
    # The private key, Fernet-encrypted under a key derived from LAUREL_SECRET_KEY.
    private_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StatusList(IdMixin, TimestampMixin, Base):
    """A Bitstring Status List (revocation) of one organization: one bit per credential."""

    __tablename__ = "status_lists"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    size: Mapped[int] = mapped_column(Integer)
    bits: Mapped[bytes] = mapped_column(LargeBinary)


class StatusAllocation(Base):
    """Which index of a status list a credential holds (never reused)."""

    __tablename__ = "status_allocations"
    __table_args__ = (UniqueConstraint("status_list_id", "status_index"),)

    credential_id: Mapped[str] = mapped_column(
        ForeignKey("credentials.id", ondelete="CASCADE"), primary_key=True
    )
    status_list_id: Mapped[str] = mapped_column(ForeignKey("status_lists.id", ondelete="CASCADE"))
    status_index: Mapped[int] = mapped_column(Integer)
