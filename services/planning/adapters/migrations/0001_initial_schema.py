"""initial schema

Revision ID: fcb683de8337
Revises:
Create Date: 2026-11-23 15:54:55.614397
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.storage import eventing_migrations

revision = "fcb683de8337"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    eventing_migrations.create_v1()
    op.create_table(
        "skp_view",
        sa.Column("skp_id", sa.String(length=80), nullable=False),
        sa.Column("tenant", sa.String(length=40), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("employee_name", sa.String(length=200), nullable=False),
        sa.Column("atasan_nip", sa.String(length=18), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("period_year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("rhk", sa.JSON(), nullable=False),
        sa.Column("realisasi", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("skp_id"),
    )
    with op.batch_alter_table("skp_view", schema=None) as batch_op:
        batch_op.create_index("ix_skp_view_tenant_atasan", ["tenant", "atasan_nip"], unique=False)
        batch_op.create_index("ix_skp_view_tenant_nip", ["tenant", "nip"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("skp_view", schema=None) as batch_op:
        batch_op.drop_index("ix_skp_view_tenant_nip")
        batch_op.drop_index("ix_skp_view_tenant_atasan")

    op.drop_table("skp_view")
    eventing_migrations.drop_v1()
