"""outbox: the relay deletes the rows it has published

Revision ID: 2e9c7a4b1d60
Revises: ff7daaf82bf1
Create Date: 2026-12-07 12:50:00
"""

from __future__ import annotations

from shared.storage import eventing_migrations

revision = "2e9c7a4b1d60"
down_revision = "ff7daaf82bf1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    eventing_migrations.upgrade_v2()


def downgrade() -> None:
    eventing_migrations.downgrade_v2()
