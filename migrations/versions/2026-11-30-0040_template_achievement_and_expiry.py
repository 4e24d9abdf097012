"""Credential templates carry Laurel's own fields: the Open Badges achievement's description and
criteria, and an expiry rule (N days, months or years after the issue date).

Revision ID: b7f2d4e8a1c3
Revises: d1a7c0e5b3f2
Create Date: 2026-11-30 00:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7f2d4e8a1c3"
down_revision: str | None = "d1a7c0e5b3f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        batch.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch.add_column(sa.Column("criteria", sa.Text(), nullable=True))
        batch.add_column(sa.Column("expiry_amount", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("expiry_unit", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        batch.drop_column("expiry_unit")
        batch.drop_column("expiry_amount")
        batch.drop_column("criteria")
        batch.drop_column("description")
