"""organisation register: unit_view and employee_view

Revision ID: 0002_organisation
Revises: fcb683de8337
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_organisation"
down_revision = "fcb683de8337"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_view",
        sa.Column("tenant", sa.String(length=40), nullable=False),
        sa.Column("unit_id", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_unit_id", sa.String(length=60), nullable=True),
        sa.Column("kind", sa.String(length=60), nullable=True),
        sa.Column("serves_public", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "unit_id"),
    )
    with op.batch_alter_table("unit_view", schema=None) as batch_op:
        batch_op.create_index("ix_unit_view_tenant_parent", ["tenant", "parent_unit_id"], unique=False)

    op.create_table(
        "employee_view",
        sa.Column("tenant", sa.String(length=40), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("employee_type", sa.String(length=10), nullable=False),
        sa.Column("unit_id", sa.String(length=60), nullable=False),
        sa.Column("unit_name", sa.String(length=200), nullable=False),
        sa.Column("position_name", sa.String(length=200), nullable=False),
        sa.Column("position_kind", sa.String(length=20), nullable=False),
        sa.Column("position_grade", sa.String(length=60), nullable=True),
        sa.Column("is_unit_head", sa.Boolean(), nullable=False),
        sa.Column("atasan_nip", sa.String(length=18), nullable=True),
        sa.Column("atasan_name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "nip"),
    )
    with op.batch_alter_table("employee_view", schema=None) as batch_op:
        batch_op.create_index("ix_employee_view_tenant_atasan", ["tenant", "atasan_nip"], unique=False)
        batch_op.create_index("ix_employee_view_tenant_unit", ["tenant", "unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("employee_view", schema=None) as batch_op:
        batch_op.drop_index("ix_employee_view_tenant_unit")
        batch_op.drop_index("ix_employee_view_tenant_atasan")
    op.drop_table("employee_view")
    with op.batch_alter_table("unit_view", schema=None) as batch_op:
        batch_op.drop_index("ix_unit_view_tenant_parent")
    op.drop_table("unit_view")
