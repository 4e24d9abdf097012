"""Open edX's Credly-shaped API: the connection (webhook URL), template events, awarded badges.

Revision ID: d1a7c0e5b3f2
Revises: c3d9e1f27a40
Create Date: 2026-11-30 00:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d1a7c0e5b3f2"
down_revision: str | None = "c3d9e1f27a40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "openedx_connections",
        sa.Column("organization_id", sa.String(26), nullable=False),
        sa.Column("webhook_url", sa.String(2048), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_openedx_connections_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_openedx_connections")),
    )
    op.create_table(
        "badge_template_events",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("organization_id", sa.String(26), nullable=False),
        sa.Column("group_id", sa.String(26), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_badge_template_events_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badge_template_events")),
    )
    op.create_index(
        "ix_badge_template_events_org_id", "badge_template_events", ["organization_id", "id"]
    )
    op.create_table(
        "credly_badges",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("organization_id", sa.String(26), nullable=False),
        sa.Column("group_id", sa.String(26), nullable=False),
        sa.Column("recipient_email", sa.String(320), nullable=False),
        sa.Column("credential_id", sa.String(26), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_credly_badges_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_credly_badges_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_credly_badges_credential_id_credentials"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credly_badges")),
        sa.UniqueConstraint(
            "organization_id",
            "group_id",
            "recipient_email",
            name=op.f("uq_credly_badges_organization_id"),
        ),
    )
    op.create_index(op.f("ix_credly_badges_credential_id"), "credly_badges", ["credential_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_credly_badges_credential_id"), table_name="credly_badges")
    op.drop_table("credly_badges")
    op.drop_index("ix_badge_template_events_org_id", table_name="badge_template_events")
    op.drop_table("badge_template_events")
    op.drop_table("openedx_connections")
