"""outbox: the relay deletes the rows it has published

Revision ID: 8b41d0e6c5f2
Revises: 3f6a9c1d4e27
Create Date: 2026-12-07 12:50:00
"""

from __future__ import annotations

from shared.storage import eventing_migrations

revision = "8b41d0e6c5f2"
down_revision = "3f6a9c1d4e27"
branch_labels = None
depends_on = None


def upgrade() -> None:
    eventing_migrations.upgrade_v2()


def downgrade() -> None:
    eventing_migrations.downgrade_v2()
