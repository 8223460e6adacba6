"""initial schema

Revision ID: e31d5be51fcd
Revises:
Create Date: 2026-11-23 15:57:51.660343
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.storage import eventing_migrations

revision = "e31d5be51fcd"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    eventing_migrations.create_v1()
    op.create_table(
        "notices",
        sa.Column("notice_id", sa.String(length=36), nullable=False),
        sa.Column("tenant", sa.String(length=40), nullable=False),
        sa.Column("recipient_nip", sa.String(length=18), nullable=False),
        sa.Column("event_type", sa.String(length=120), nullable=False),
        sa.Column("source_event_id", sa.String(length=36), nullable=False),
        sa.Column("title_id", sa.Text(), nullable=False),
        sa.Column("body_id", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("notice_id"),
        sa.UniqueConstraint("recipient_nip", "source_event_id", name="uq_notices_recipient_source"),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index("ix_notices_inbox", ["tenant", "recipient_nip", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index("ix_notices_inbox")

    op.drop_table("notices")
    eventing_migrations.drop_v1()
