from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from laurel.models.base import Base, IdMixin, TimestampMixin


class GroupDesign(Base):
    """A design attached to a credential template, at a position in its ordered list."""

    __tablename__ = "group_designs"

    group_id: Mapped[str] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    # RESTRICT: a design still used by a template cannot disappear underneath it.
    design_id: Mapped[str] = mapped_column(
        ForeignKey("designs.id", ondelete="RESTRICT"), index=True
    )


class Group(IdMixin, TimestampMixin, Base):
    """A credential template ("group" in Certifier's older wording)."""

    __tablename__ = "groups"
    __table_args__ = (Index("ix_groups_organization_id_id", "organization_id", "id"),)

    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    learning_event_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    # The email its credentials are sent with (None: the built-in one). No ON DELETE action:
    # deleting a template in use is refused (409), and the check runs at the end of the
    # statement, so deleting an organization still cascades to both tables.
    email_template_id: Mapped[str | None] = mapped_column(
        ForeignKey("email_templates.id"), index=True, default=None
    )
    # Laurel's own fields, not on Certifier's API (set in the web app): the Open Badges
    # achievement's description and criteria narrative, and the expiry rule ("2 years after
    # issue"); amount and unit are both set or both None (groups/expiry.py).
    description: Mapped[str | None] = mapped_column(Text, default=None)
    criteria: Mapped[str | None] = mapped_column(Text, default=None)
    expiry_amount: Mapped[int | None] = mapped_column(Integer, default=None)
    expiry_unit: Mapped[str | None] = mapped_column(String(8), default=None)
