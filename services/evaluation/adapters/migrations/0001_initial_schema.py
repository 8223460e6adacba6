"""initial schema

Revision ID: db43e538311d
Revises:
Create Date: 2026-11-23 15:58:38.104610
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.storage import eventing_migrations

revision = "db43e538311d"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    eventing_migrations.create_v1()
    op.create_table(
        "assessments",
        sa.Column("assessment_id", sa.String(length=120), nullable=False),
        sa.Column("tenant", sa.String(length=40), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("period_year", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("assessor_nip", sa.String(length=18), nullable=False),
        sa.Column("behaviour", sa.JSON(), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("assessment_id"),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index("ix_assessments_tenant_nip_year", ["tenant", "nip", "period_year"], unique=False)

    op.create_table(
        "evaluations",
        sa.Column("evaluation_id", sa.String(length=80), nullable=False),
        sa.Column("tenant", sa.String(length=40), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("employee_name", sa.String(length=200), nullable=False),
        sa.Column("atasan_nip", sa.String(length=18), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("period_year", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("skp_id", sa.String(length=80), nullable=False),
        sa.Column("assessment_id", sa.String(length=120), nullable=False),
        sa.Column("evaluated_by", sa.String(length=18), nullable=False),
        sa.Column("rating_hasil_kerja", sa.String(length=30), nullable=False),
        sa.Column("rating_perilaku_kerja", sa.String(length=30), nullable=False),
        sa.Column("predikat", sa.String(length=30), nullable=False),
        sa.Column("breakdown", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("evaluation_id"),
    )
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.create_index("ix_evaluations_tenant_atasan", ["tenant", "atasan_nip"], unique=False)
        batch_op.create_index("ix_evaluations_tenant_nip_year", ["tenant", "nip", "period_year"], unique=False)

    op.create_table(
        "plans",
        sa.Column("skp_id", sa.String(length=80), nullable=False),
        sa.Column("tenant", sa.String(length=40), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("employee_name", sa.String(length=200), nullable=False),
        sa.Column("atasan_nip", sa.String(length=18), nullable=False),
        sa.Column("atasan_name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("period_year", sa.Integer(), nullable=False),
        sa.Column("rhk", sa.JSON(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("skp_id"),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index("ix_plans_tenant_atasan", ["tenant", "atasan_nip"], unique=False)
        batch_op.create_index("ix_plans_tenant_nip_year", ["tenant", "nip", "period_year"], unique=False)

    op.create_table(
        "realisasi",
        sa.Column("skp_id", sa.String(length=80), nullable=False),
        sa.Column("iki_id", sa.String(length=120), nullable=False),
        sa.Column("quarter", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("tenant", sa.String(length=40), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("period_year", sa.Integer(), nullable=False),
        sa.Column("rhk_id", sa.String(length=120), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("skp_id", "iki_id", "quarter"),
    )


def downgrade() -> None:
    op.drop_table("realisasi")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index("ix_plans_tenant_nip_year")
        batch_op.drop_index("ix_plans_tenant_atasan")

    op.drop_table("plans")
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_index("ix_evaluations_tenant_nip_year")
        batch_op.drop_index("ix_evaluations_tenant_atasan")

    op.drop_table("evaluations")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_assessments_tenant_nip_year")

    op.drop_table("assessments")
    eventing_migrations.drop_v1()
