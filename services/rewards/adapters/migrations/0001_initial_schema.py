"""initial schema

Revision ID: 287808744532
Revises:
Create Date: 2026-11-23 15:58:18.920467
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.storage import eventing_migrations

revision = "287808744532"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    eventing_migrations.create_v1()
    op.create_table(
        "decisions",
        sa.Column("decision_id", sa.String(length=140), nullable=False),
        sa.Column("tenant", sa.String(length=40), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("employee_name", sa.String(length=200), nullable=False),
        sa.Column("period_year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("predikat", sa.String(length=20), nullable=False),
        sa.Column("incentive_percentage", sa.Float(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("policy_version", sa.String(length=60), nullable=False),
        sa.Column("evaluation_id", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("decision_id"),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index("ix_decisions_tenant_nip", ["tenant", "nip", "period_year"], unique=False)

    op.create_table(
        "evaluation_history",
        sa.Column("tenant", sa.String(length=40), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("period_year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("predikat", sa.String(length=20), nullable=False),
        sa.Column("evaluation_id", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "nip", "period_year", "period"),
    )


def downgrade() -> None:
    op.drop_table("evaluation_history")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_decisions_tenant_nip")

    op.drop_table("decisions")
    eventing_migrations.drop_v1()
