"""A draft credential can be scheduled: the worker issues and sends it at `scheduled_at`.

Revision ID: ff57a0bb7aa9
Revises: 39dc05338a7b
Create Date: 2026-11-29 18:01:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ff57a0bb7aa9"
down_revision: str | None = "39dc05338a7b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Scheduled drafts become plain drafts; their jobs go too, since an older worker does not
    # know the kind and would retry them as webhooks until they are dead.
    op.execute(sa.text("DELETE FROM outbox_jobs WHERE kind = 'issue_scheduled'"))
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_column("scheduled_at")
