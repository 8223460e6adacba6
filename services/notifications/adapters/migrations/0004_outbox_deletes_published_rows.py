"""outbox: the relay deletes the rows it has published

Revision ID: a7d3f5c91e08
Revises: 5c1e0b7d2a93
Create Date: 2026-12-07 12:50:00
"""

from __future__ import annotations

from shared.storage import eventing_migrations

revision = "a7d3f5c91e08"
down_revision = "5c1e0b7d2a93"
branch_labels = None
depends_on = None


def upgrade() -> None:
    eventing_migrations.upgrade_v2()


def downgrade() -> None:
    eventing_migrations.downgrade_v2()
