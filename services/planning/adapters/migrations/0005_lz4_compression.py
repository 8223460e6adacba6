"""long values compressed with lz4 instead of pglz

Revision ID: 0005_lz4_compression
Revises: 0004_outbox_deletes_published
Create Date: 2026-12-08 01:45:00
"""

from __future__ import annotations

from shared.storage import compression_migrations

revision = "0005_lz4_compression"
down_revision = "0004_outbox_deletes_published"
branch_labels = None
depends_on = None


def upgrade() -> None:
    compression_migrations.compress_with_lz4()


def downgrade() -> None:
    compression_migrations.compress_with_default()
