"""long values compressed with lz4 instead of pglz

Revision ID: c62e8f1a9b34
Revises: 8b41d0e6c5f2
Create Date: 2026-12-08 01:45:00
"""

from __future__ import annotations

from shared.storage import compression_migrations

revision = "c62e8f1a9b34"
down_revision = "8b41d0e6c5f2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    compression_migrations.compress_with_lz4()


def downgrade() -> None:
    compression_migrations.compress_with_default()
