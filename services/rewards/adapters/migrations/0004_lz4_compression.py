"""long values compressed with lz4 instead of pglz

Revision ID: 5d0b3e7a2c19
Revises: 2e9c7a4b1d60
Create Date: 2026-12-08 01:45:00
"""

from __future__ import annotations

from shared.storage import compression_migrations

revision = "5d0b3e7a2c19"
down_revision = "2e9c7a4b1d60"
branch_labels = None
depends_on = None


def upgrade() -> None:
    compression_migrations.compress_with_lz4()


def downgrade() -> None:
    compression_migrations.compress_with_default()
