"""An idempotency key in flight names its owner and when the owner last renewed its lease.

Revision ID: 4b3c612503eb
Revises: bf237dd49012
Create Date: 2026-11-29 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4b3c612503eb"
down_revision: str | None = "bf237dd49012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(255), nullable=True))
        batch_op.add_column(sa.Column("owner_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_column("owner_seen_at")
        batch_op.drop_column("owner")
