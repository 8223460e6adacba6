"""The eventing tables every service's database carries: event store, outbox, processed events.

Each service adds them to its own MetaData (its own database), next to its projections.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import JSON, BigInteger, Column, DateTime, Integer, MetaData, String, Table, Text

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True)
class EventingTables:
    event_store: Table
    outbox: Table
    processed_events: Table


def add_eventing_tables(metadata: MetaData) -> EventingTables:
    event_store = Table(
        "event_store",
        metadata,
        # (aggregate_id, version) is the key: a second append of the same version is refused.
        Column("aggregate_id", String(200), primary_key=True),
        Column("version", Integer, primary_key=True, autoincrement=False),
        Column("aggregate_type", String(60), nullable=False),
        Column("event_type", String(120), nullable=False),
        Column("data", JSON, nullable=False),
        Column("occurred_at", DateTime(timezone=True), nullable=False),
        Column("tenant", String(40), nullable=False),
        Column("correlation_id", String(200), nullable=False),
        Column("causation_id", String(200), nullable=True),
        Column("actor", String(60), nullable=True),
    )
    outbox = Table(
        "outbox",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("message_key", String(200), nullable=False),
        Column("event_type", String(120), nullable=False),
        Column("value", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        # Unused since the relay deletes what it has published (eventing v2): kept, always null in
        # new rows, so that a worker of the previous release still runs during a rolling upgrade.
        Column("published_at", DateTime(timezone=True), nullable=True),
    )
    processed_events = Table(
        "processed_events",
        metadata,
        # One row per (consumer group, event id), written in the same transaction as the
        # handler's changes: a redelivered event is recognised and changes nothing.
        Column("consumer", String(120), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("event_type", String(120), nullable=False),
        Column("topic", String(200), nullable=False),
        Column("partition", Integer, nullable=False),
        Column("offset", BigInteger, nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )
    return EventingTables(event_store, outbox, processed_events)
