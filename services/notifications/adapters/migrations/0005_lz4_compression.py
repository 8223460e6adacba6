"""long values compressed with lz4 instead of pglz

Revision ID: e4a19c6f0d52
Revises: a7d3f5c91e08
Create Date: 2026-12-08 01:45:00
"""

from __future__ import annotations

from shared.storage import compression_migrations

revision = "e4a19c6f0d52"
down_revision = "a7d3f5c91e08"
branch_labels = None
depends_on = None


def upgrade() -> None:
    compression_migrations.compress_with_lz4()


def downgrade() -> None:
    compression_migrations.compress_with_default()
