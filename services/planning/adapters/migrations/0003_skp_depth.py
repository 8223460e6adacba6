"""skp depth: cascade links, unit targets, quarters, evidence

Revision ID: 0003_skp_depth
Revises: 0002_organisation
Create Date: 2026-11-23 16:26:34.706419
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_skp_depth"
down_revision = "0002_organisation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_file",
        sa.Column("file_id", sa.String(length=40), nullable=False),
        sa.Column("tenant", sa.String(length=40), nullable=False),
        sa.Column("skp_id", sa.String(length=80), nullable=False),
        sa.Column("owner_nip", sa.String(length=18), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("file_id"),
    )
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.create_index("ix_evidence_file_skp", ["skp_id"], unique=False)

    op.create_table(
        "quarter_status",
        sa.Column("tenant", sa.String(length=40), nullable=False),
        sa.Column("period_year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.String(length=18), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "period_year", "quarter"),
    )
    op.create_table(
        "rhk_link",
        sa.Column("rhk_id", sa.String(length=120), nullable=False),
        sa.Column("tenant", sa.String(length=40), nullable=False),
        sa.Column("period_year", sa.Integer(), nullable=False),
        sa.Column("skp_id", sa.String(length=80), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("employee_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("intervenes_rhk_id", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("rhk_id"),
    )
    with op.batch_alter_table("rhk_link", schema=None) as batch_op:
        batch_op.create_index("ix_rhk_link_parent", ["tenant", "intervenes_rhk_id"], unique=False)
        batch_op.create_index("ix_rhk_link_skp", ["skp_id"], unique=False)

    op.create_table(
        "unit_target_view",
        sa.Column("target_id", sa.String(length=160), nullable=False),
        sa.Column("tenant", sa.String(length=40), nullable=False),
        sa.Column("unit_id", sa.String(length=60), nullable=False),
        sa.Column("period_year", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("indicator", sa.Text(), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=60), nullable=False),
        sa.Column("direction", sa.String(length=20), nullable=False),
        sa.Column("updated_by", sa.String(length=18), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("target_id"),
    )
    with op.batch_alter_table("unit_target_view", schema=None) as batch_op:
        batch_op.create_index("ix_unit_target_unit_year", ["tenant", "unit_id", "period_year"], unique=False)

    with op.batch_alter_table("skp_view", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit_id", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("template", sa.String(length=10), server_default="ja_jf", nullable=False))
        batch_op.add_column(sa.Column("expectations", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("annex", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("results_follow_unit", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("amendment_no", sa.Integer(), server_default=sa.text("0"), nullable=False))
        batch_op.add_column(sa.Column("pending_amendment", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("skp_view", schema=None) as batch_op:
        batch_op.drop_column("pending_amendment")
        batch_op.drop_column("amendment_no")
        batch_op.drop_column("results_follow_unit")
        batch_op.drop_column("annex")
        batch_op.drop_column("expectations")
        batch_op.drop_column("template")
        batch_op.drop_column("unit_id")

    with op.batch_alter_table("unit_target_view", schema=None) as batch_op:
        batch_op.drop_index("ix_unit_target_unit_year")

    op.drop_table("unit_target_view")
    with op.batch_alter_table("rhk_link", schema=None) as batch_op:
        batch_op.drop_index("ix_rhk_link_skp")
        batch_op.drop_index("ix_rhk_link_parent")

    op.drop_table("rhk_link")
    op.drop_table("quarter_status")
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_file_skp")

    op.drop_table("evidence_file")
