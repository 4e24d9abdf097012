from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from laurel.models.base import Base, IdMixin, TimestampMixin


class DesignType(StrEnum):
    certificate = "certificate"
    badge = "badge"


class Design(IdMixin, TimestampMixin, Base):
    __tablename__ = "designs"
    __table_args__ = (Index("ix_designs_organization_id_id", "organization_id", "id"),)

    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[DesignType] = mapped_column(String(16))
    svg: Mapped[str] = mapped_column(Text)
