from enum import StrEnum

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from laurel.models.base import Base, IdMixin, TimestampMixin


class Plan(StrEnum):
    free = "free"
    premium = "premium"


class Organization(IdMixin, TimestampMixin, Base):
    __tablename__ = "organizations"

    name: Mapped[str] = mapped_column(String(255))
    plan: Mapped[Plan] = mapped_column(String(16), default=Plan.free)
    # The records API shows it; "active" until an operator suspends the organization.
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    # The issuer profile shown in every credential the organization issues.
    issuer_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    issuer_email: Mapped[str | None] = mapped_column(String(320), default=None)
    issuer_image: Mapped[str | None] = mapped_column(String(2048), default=None)
    issuer_description: Mapped[str | None] = mapped_column(Text, default=None)
    cryptosuite: Mapped[str] = mapped_column(String(32), default="eddsa-rdfc-2022")
    did_method: Mapped[str] = mapped_column(String(8), default="web")
