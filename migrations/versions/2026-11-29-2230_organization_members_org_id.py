"""Members paged by id within an organization read an index instead of sorting them all.

Revision ID: c3d9e1f27a40
Revises: 7a1e0c5d9b21
Create Date: 2026-11-29 22:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c3d9e1f27a40"
down_revision: str | None = "7a1e0c5d9b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_organization_members_org_id", "organization_members", ["organization_id", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_organization_members_org_id", table_name="organization_members")
