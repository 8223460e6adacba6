"""Notifications' own database: its event store, outbox, inbox, and the `notices` read table."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Column, DateTime, Index, MetaData, String, Table, Text, UniqueConstraint

from shared.storage.tables import add_eventing_tables

metadata = MetaData()
eventing = add_eventing_tables(metadata)
MIGRATIONS = Path(__file__).parent / "migrations"

notices = Table(
    "notices",
    metadata,
    Column("notice_id", String(36), primary_key=True),
    Column("tenant", String(40), nullable=False),
    Column("recipient_nip", String(18), nullable=False),
    Column("event_type", String(120), nullable=False),
    Column("source_event_id", String(36), nullable=False),
    Column("title_id", Text, nullable=False),
    Column("body_id", Text, nullable=False),
    Column("title_en", Text, nullable=False),
    Column("body_en", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("read_at", DateTime(timezone=True), nullable=True),
    # A redelivered event never gives a person a second notice.
    UniqueConstraint("recipient_nip", "source_event_id", name="uq_notices_recipient_source"),
    # The inbox query: one person's notices, newest first, optionally unread only.
    Index("ix_notices_inbox", "tenant", "recipient_nip", "created_at"),
)
