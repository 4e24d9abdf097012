"""Issuer profiles and keys, verifiable credentials, revocation status lists.

Revision ID: 136d1a9dc981
Revises: a255c7b3855d
Create Date: 2026-11-23 04:41:31.453629
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "136d1a9dc981"
down_revision: str | None = "a255c7b3855d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "issuer_keys",
        sa.Column("organization_id", sa.String(length=26), nullable=False),
        sa.Column("public_multibase", sa.String(length=64), nullable=False),
        sa.Column("private_encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_issuer_keys_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issuer_keys")),
    )
    with op.batch_alter_table("issuer_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_issuer_keys_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "status_lists",
        sa.Column("organization_id", sa.String(length=26), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("bits", sa.LargeBinary(), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_status_lists_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_lists")),
    )
    with op.batch_alter_table("status_lists", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_status_lists_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "status_allocations",
        sa.Column("credential_id", sa.String(length=26), nullable=False),
        sa.Column("status_list_id", sa.String(length=26), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_status_allocations_credential_id_credentials"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"],
            ["status_lists.id"],
            name=op.f("fk_status_allocations_status_list_id_status_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("credential_id", name=op.f("pk_status_allocations")),
        sa.UniqueConstraint(
            "status_list_id", "status_index", name=op.f("uq_status_allocations_status_list_id")
        ),
    )
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verifiable_credential", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("revocation_reason", sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column("revoked_by", sa.String(length=26), nullable=True))

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("issuer_url", sa.String(length=2048), nullable=True))
        batch_op.add_column(sa.Column("issuer_email", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("issuer_image", sa.String(length=2048), nullable=True))
        batch_op.add_column(sa.Column("issuer_description", sa.Text(), nullable=True))
        # Existing organizations get the defaults new ones get.
        batch_op.add_column(
            sa.Column(
                "cryptosuite",
                sa.String(length=32),
                nullable=False,
                server_default="eddsa-rdfc-2022",
            )
        )
        batch_op.add_column(
            sa.Column("did_method", sa.String(length=8), nullable=False, server_default="web")
        )


def downgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("did_method")
        batch_op.drop_column("cryptosuite")
        batch_op.drop_column("issuer_description")
        batch_op.drop_column("issuer_image")
        batch_op.drop_column("issuer_email")
        batch_op.drop_column("issuer_url")

    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_column("revoked_by")
        batch_op.drop_column("revocation_reason")
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("verifiable_credential")

    op.drop_table("status_allocations")
    with op.batch_alter_table("status_lists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_lists_organization_id"))

    op.drop_table("status_lists")
    with op.batch_alter_table("issuer_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issuer_keys_organization_id"))

    op.drop_table("issuer_keys")
