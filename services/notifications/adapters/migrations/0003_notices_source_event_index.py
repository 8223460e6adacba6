"""notices by source event: a consumer batch reads which of its events already have notices

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


def downgrade() -> None:
    op.drop_index("ix_notices_source_event", table_name="notices")
