"""outbox: the relay deletes the rows it has published

Revision ID: 0004_outbox_deletes_published
Revises: 0003_skp_depth
Create Date: 2026-12-07 12:50:00
"""

from __future__ import annotations

from shared.storage import eventing_migrations

revision = "0004_outbox_deletes_published"
down_revision = "0003_skp_depth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    eventing_migrations.upgrade_v2()


def downgrade() -> None:
    eventing_migrations.downgrade_v2()
