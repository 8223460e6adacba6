"""close items without the (close_id, status) index

PostgreSQL picked it for the worker's update of one item (close_id, nip) and filtered every item
of the close by NIP: quadratic over a year-end close. The primary key serves the update and the
progress counts.

Revision ID: 3f6a9c1d4e27
Revises: 97c2bf44d7a8
Create Date: 2026-11-23 19:40:00
"""

from __future__ import annotations

from alembic import op

revision = "3f6a9c1d4e27"
down_revision = "97c2bf44d7a8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_close_items_close_status", table_name="close_items")


def downgrade() -> None:
    op.create_index("ix_close_items_close_status", "close_items", ["close_id", "status"], unique=False)
