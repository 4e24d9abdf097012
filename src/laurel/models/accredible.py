"""What the Accredible-shaped API keeps beside Laurel's own rows (docs/openedx.md (Accredible))."""

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from laurel.models.base import Base, TimestampMixin


class IntegerAlias(TimestampMixin, Base):
    """The integer an Accredible client knows a Laurel resource by, assigned on first sight.

    Accredible ids are integers, and Open edX keeps them in 32-bit columns shared with its other
    providers' rows: an alias is at least 1,000,000, below 2**31, unique per kind (`group`,
    `design`, `credential`) and never reassigned.
    """

    __tablename__ = "integer_aliases"
    # The primary key (kind, alias) keeps an alias to one resource of a kind.
    __table_args__ = (
        UniqueConstraint("kind", "laurel_id", name="uq_integer_aliases_kind_laurel_id"),
    )

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    alias: Mapped[int] = mapped_column(Integer, primary_key=True)
    laurel_id: Mapped[str] = mapped_column(String(64))
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )


class AccredibleAward(TimestampMixin, Base):
    """One credential per credential template and recipient email awarded through Accredible's
    `POST credentials`: the row is claimed before the credential is made, so two awards at once
    make one credential."""

    __tablename__ = "accredible_awards"
    __table_args__ = (UniqueConstraint("group_id", "recipient_email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[str] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    # Lower-cased: Open edX may spell one address two ways.
    recipient_email: Mapped[str] = mapped_column(String(320))
    # Set once the credential exists; deleting the credential forgets the award.
    credential_id: Mapped[str | None] = mapped_column(
        ForeignKey("credentials.id", ondelete="CASCADE"), default=None, index=True
    )
