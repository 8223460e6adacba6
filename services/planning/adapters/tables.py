"""Planning's own database: its event store, outbox, inbox, and the SKP read model."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    false,
)

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
    Column("unit_id", String(60), nullable=True),
    Column("template", String(10), nullable=False, server_default="ja_jf"),
    Column("expectations", JSON, nullable=True),
    Column("annex", JSON, nullable=True),
    Column("results_follow_unit", Boolean, nullable=False, server_default=false()),
    Column("amendment_no", Integer, nullable=False, server_default=false()),
    Column("pending_amendment", JSON, nullable=True),
    Index("ix_skp_view_tenant_nip", "tenant", "nip"),
    Index("ix_skp_view_tenant_atasan", "tenant", "atasan_nip"),
)

# One row per RHK of the current plans: the cascade tree is walked over `intervenes_rhk_id`.
rhk_link = Table(
    "rhk_link",
    metadata,
    Column("rhk_id", String(120), primary_key=True),
    Column("tenant", String(40), nullable=False),
    Column("period_year", Integer, nullable=False),
    Column("skp_id", String(80), nullable=False),
    Column("nip", String(18), nullable=False),
    Column("employee_name", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("description", Text, nullable=False),
    Column("intervenes_rhk_id", String(120), nullable=True),
    Index("ix_rhk_link_parent", "tenant", "intervenes_rhk_id"),
    Index("ix_rhk_link_skp", "skp_id"),
)

# Unit-level targets per unit and year (a school's graduation rate), carried by unit heads' plans.
unit_target_view = Table(
    "unit_target_view",
    metadata,
    Column("target_id", String(160), primary_key=True),
    Column("tenant", String(40), nullable=False),
    Column("unit_id", String(60), nullable=False),
    Column("period_year", Integer, nullable=False),
    Column("code", String(60), nullable=False),
    Column("indicator", Text, nullable=False),
    Column("target", Float, nullable=False),
    Column("unit", String(60), nullable=False),
    Column("direction", String(20), nullable=False),
    Column("updated_by", String(18), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_unit_target_unit_year", "tenant", "unit_id", "period_year"),
)

# Whether a quarter still takes realisasi; closed and reopened by the instansi admin.
quarter_status = Table(
    "quarter_status",
    metadata,
    Column("tenant", String(40), primary_key=True),
    Column("period_year", Integer, primary_key=True),
    Column("quarter", Integer, primary_key=True),
    Column("closed", Boolean, nullable=False),
    Column("changed_by", String(18), nullable=False),
    Column("reason", Text, nullable=True),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

# Uploaded bukti dukung, kept in the service's own database (never in a web-served path; the
# file name is only a label).
evidence_file = Table(
    "evidence_file",
    metadata,
    Column("file_id", String(40), primary_key=True),
    Column("tenant", String(40), nullable=False),
    Column("skp_id", String(80), nullable=False),
    Column("owner_nip", String(18), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    Index("ix_evidence_file_skp", "skp_id"),
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
