"""The home page's weekly charts read one organization's interactions by time from an index.

Revision ID: a5e1c7d3f9b6
Revises: c3d9e1f27a40
Create Date: 2026-11-30 01:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a5e1c7d3f9b6"
down_revision: str | None = "c3d9e1f27a40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_credential_interactions_org_time",
        "credential_interactions",
        ["organization_id", "triggered_at", "event_type"],
    )


def downgrade() -> None:
    op.drop_index("ix_credential_interactions_org_time", table_name="credential_interactions")
