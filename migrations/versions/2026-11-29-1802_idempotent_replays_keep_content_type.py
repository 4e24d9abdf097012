"""Idempotent replays keep the first response's content type (problem+json stays problem+json).

Revision ID: 5b7e0c1d2a93
Revises: ff57a0bb7aa9
Create Date: 2026-11-29 18:02:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b7e0c1d2a93"
down_revision: str | None = "ff57a0bb7aa9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("response_content_type", sa.String(255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_column("response_content_type")
