from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from laurel.models.base import Base, IdMixin, TimestampMixin


class EmailTemplate(IdMixin, TimestampMixin, Base):
    """The subject and body of the email that brings a recipient their credential."""

    __tablename__ = "email_templates"
    __table_args__ = (Index("ix_email_templates_organization_id_id", "organization_id", "id"),)

    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    # Plain text; paragraphs are separated by a blank line. Never HTML.
    body: Mapped[str] = mapped_column(Text)
