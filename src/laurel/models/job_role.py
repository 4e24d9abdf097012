"""Job roles, members' assignments to them, and qualifications (sets of required types)."""

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from laurel.models.base import Base, IdMixin, TimestampMixin, UTCDateTime


class JobRole(IdMixin, TimestampMixin, Base):
    __tablename__ = "job_roles"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, default=None)


class JobRoleAssignment(IdMixin, TimestampMixin, Base):
    __tablename__ = "job_role_assignments"
    __table_args__ = (UniqueConstraint("organization_member_id", "job_role_id"),)

    organization_member_id: Mapped[str] = mapped_column(
        ForeignKey("organization_members.id", ondelete="CASCADE")
    )
    job_role_id: Mapped[str] = mapped_column(
        ForeignKey("job_roles.id", ondelete="CASCADE"), index=True
    )
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Qualification(IdMixin, TimestampMixin, Base):
    __tablename__ = "qualifications"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, default=None)


qualification_requirements = Table(
    "qualification_requirements",
    Base.metadata,
    Column(
        "qualification_id",
        ForeignKey("qualifications.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "certification_type_id",
        ForeignKey("certification_types.id", ondelete="RESTRICT"),
        primary_key=True,
    ),
)

qualification_job_roles = Table(
    "qualification_job_roles",
    Base.metadata,
    Column(
        "qualification_id",
        ForeignKey("qualifications.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("job_role_id", ForeignKey("job_roles.id", ondelete="CASCADE"), primary_key=True),
)
