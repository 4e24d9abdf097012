"""Email templates; a credential template's choice of one; replayed response headers.

Revision ID: bf237dd49012
Revises: ff57a0bb7aa9
Create Date: 2026-11-29 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bf237dd49012"
down_revision: str | None = "ff57a0bb7aa9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "email_templates",
        sa.Column("organization_id", sa.String(length=26), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_email_templates_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_templates")),
    )
    with op.batch_alter_table("email_templates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_email_templates_organization_id_id", ["organization_id", "id"], unique=False
        )

    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_template_id", sa.String(length=26), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_groups_email_template_id"), ["email_template_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_groups_email_template_id_email_templates"),
            "email_templates",
            ["email_template_id"],
            ["id"],
        )

    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("response_headers", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_column("response_headers")

    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_groups_email_template_id_email_templates"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_groups_email_template_id"))
        batch_op.drop_column("email_template_id")

    with op.batch_alter_table("email_templates", schema=None) as batch_op:
        batch_op.drop_index("ix_email_templates_organization_id_id")

    op.drop_table("email_templates")
