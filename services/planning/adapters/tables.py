"""Planning's own database: its event store, outbox, inbox, and the SKP read model."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import JSON, Boolean, Column, DateTime, Index, Integer, MetaData, String, Table, Text

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

# -- organisation register (read models of the Unit and Employee aggregates) -------------------
unit_view = Table(
    "unit_view",
    metadata,
    Column("tenant", String(40), primary_key=True),
    Column("unit_id", String(60), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("parent_unit_id", String(60), nullable=True),
    Column("kind", String(60), nullable=True),
    Column("serves_public", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_unit_view_tenant_parent", "tenant", "parent_unit_id"),
)

employee_view = Table(
    "employee_view",
    metadata,
    Column("tenant", String(40), primary_key=True),
    Column("nip", String(18), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("employee_type", String(10), nullable=False),
    Column("unit_id", String(60), nullable=False),
    Column("unit_name", String(200), nullable=False),
    Column("position_name", String(200), nullable=False),
    Column("position_kind", String(20), nullable=False),
    Column("position_grade", String(60), nullable=True),
    Column("is_unit_head", Boolean, nullable=False),
    Column("atasan_nip", String(18), nullable=True),
    Column("atasan_name", String(200), nullable=True),
    Column("email", String(254), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_employee_view_tenant_atasan", "tenant", "atasan_nip"),
    Index("ix_employee_view_tenant_unit", "tenant", "unit_id"),
)
