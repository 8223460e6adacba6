"""Planning's own database: its event store, outbox, inbox, and the SKP read model."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import JSON, Column, DateTime, Index, Integer, MetaData, String, Table, Text

from shared.storage.tables import add_eventing_tables

metadata = MetaData()
eventing = add_eventing_tables(metadata)
MIGRATIONS = Path(__file__).parent / "migrations"

skp_view = Table(
    "skp_view",
    metadata,
    Column("skp_id", String(80), primary_key=True),
    Column("tenant", String(40), nullable=False),
    Column("nip", String(18), nullable=False),
    Column("employee_name", String(200), nullable=False),
    Column("atasan_nip", String(18), nullable=False),
    Column("unit", String(200), nullable=False),
    Column("period_year", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("return_reason", Text, nullable=True),
    Column("rhk", JSON, nullable=False),
    Column("realisasi", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_skp_view_tenant_nip", "tenant", "nip"),
    Index("ix_skp_view_tenant_atasan", "tenant", "atasan_nip"),
)
