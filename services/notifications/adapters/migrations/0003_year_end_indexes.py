"""year-end indexes: notices by source event (a consumer batch reads which of its events already
have notices) and appeal windows by employee and period (each result closes the earlier window)

Revision ID: 5c1e0b7d2a93
Revises: 944fc4396bf4
Create Date: 2026-11-23 19:40:00
"""

from __future__ import annotations

from alembic import op

revision = "5c1e0b7d2a93"
down_revision = "944fc4396bf4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_notices_source_event", "notices", ["source_event_id"], unique=False)
    op.create_index(
        "ix_appeal_windows_employee_period", "appeal_windows", ["tenant", "nip", "period_year", "period"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_appeal_windows_employee_period", table_name="appeal_windows")
    op.drop_index("ix_notices_source_event", table_name="notices")
