from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from laurel.models.base import Base, IdMixin, TimestampMixin


class Plan(StrEnum):
    free = "free"
    premium = "premium"


class Organization(IdMixin, TimestampMixin, Base):
    __tablename__ = "organizations"

    name: Mapped[str] = mapped_column(String(255))
    plan: Mapped[Plan] = mapped_column(String(16), default=Plan.free)
