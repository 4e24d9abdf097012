"""When each API access token was last used, shown on the web app's tokens page.

Written by a task of each process from the uses it remembered (tokens.usage), at most once a
minute per token, never by the request that used it.

Revision ID: f3c9e2a7d5b4
Revises: e2b8d1f6c4a3
Create Date: 2026-11-30 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f3c9e2a7d5b4"
down_revision: str | None = "e2b8d1f6c4a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("access_tokens") as batch_op:
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("access_tokens") as batch_op:
        batch_op.drop_column("last_used_at")
