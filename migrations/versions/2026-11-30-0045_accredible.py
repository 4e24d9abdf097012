"""Integer aliases for the Accredible-shaped API, and its awards (one per template and email).

Revision ID: e2b8d1f6c4a3
Revises: b7f2d4e8a1c3
Create Date: 2026-11-30 00:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e2b8d1f6c4a3"
down_revision: str | None = "b7f2d4e8a1c3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "integer_aliases",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("alias", sa.Integer(), nullable=False),
        sa.Column("laurel_id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_integer_aliases_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("kind", "alias", name=op.f("pk_integer_aliases")),
        sa.UniqueConstraint("kind", "laurel_id", name="uq_integer_aliases_kind_laurel_id"),
    )
    with op.batch_alter_table("integer_aliases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_integer_aliases_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "accredible_awards",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.String(length=26), nullable=False),
        sa.Column("group_id", sa.String(length=26), nullable=False),
        sa.Column("recipient_email", sa.String(length=320), nullable=False),
        sa.Column("credential_id", sa.String(length=26), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_accredible_awards_credential_id_credentials"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_accredible_awards_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_accredible_awards_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accredible_awards")),
        sa.UniqueConstraint(
            "group_id", "recipient_email", name=op.f("uq_accredible_awards_group_id")
        ),
    )
    with op.batch_alter_table("accredible_awards", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accredible_awards_credential_id"), ["credential_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_accredible_awards_organization_id"), ["organization_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("accredible_awards")
    op.drop_table("integer_aliases")
