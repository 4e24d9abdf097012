"""People and their places in organizations (the records API's users and organization members)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from laurel.models.base import Base, IdMixin, TimestampMixin, UTCDateTime


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(255))
    # scrypt, for the sign-in page of the OAuth flow; None until a password is set.
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)


class Role(StrEnum):
    owner = "owner"
    admin = "admin"
    manager = "manager"
    member = "member"


class MembershipStatus(StrEnum):
    active = "active"
    invited = "invited"
    suspended = "suspended"


class Membership(IdMixin, TimestampMixin, Base):
    """An organization member: one user in one organization, with a role."""

    __tablename__ = "organization_members"
    __table_args__ = (
        UniqueConstraint("organization_id", "user_id"),
        # Members are paged by id within an organization (the gap report, the members list):
        # without it, each page sorts all of an organization's members.
        Index("ix_organization_members_org_id", "organization_id", "id"),
    )

    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default=Role.member)
    status: Mapped[str] = mapped_column(String(16), default=MembershipStatus.active)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
