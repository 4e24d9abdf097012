"""Indexes for the web app at 100,000 credentials: the credentials table newest first (and
within a template), and the home page's weekly charts of interactions by type and time.

Revision ID: a5e1c7d3f9b6
Revises: f3c9e2a7d5b4
Create Date: 2026-11-30 01:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a5e1c7d3f9b6"
down_revision: str | None = "f3c9e2a7d5b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_credentials_org_created", "credentials", ["organization_id", "created_at", "id"]
    )
    op.create_index(
        "ix_credentials_org_group_created",
        "credentials",
        ["organization_id", "group_id", "created_at", "id"],
    )
    op.create_index(
        "ix_credential_interactions_org_type_time",
        "credential_interactions",
        ["organization_id", "event_type", "triggered_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_credentials_org_group_created", table_name="credentials")
    op.drop_index("ix_credentials_org_created", table_name="credentials")
    op.drop_index("ix_credential_interactions_org_type_time", table_name="credential_interactions")
