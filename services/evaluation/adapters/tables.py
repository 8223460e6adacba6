"""Evaluation's own database: event store, outbox, inbox, the projections of planning's events
(plans, realisasi) and the read models of its own aggregates (assessments, evaluations)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import JSON, Column, DateTime, Float, Index, Integer, MetaData, String, Table, Text

from shared.storage.tables import add_eventing_tables

metadata = MetaData()
eventing = add_eventing_tables(metadata)
MIGRATIONS = Path(__file__).parent / "migrations"

# Approved SKPs, from planning's `plan.approved`.
plans = Table(
    "plans",
    metadata,
    Column("skp_id", String(80), primary_key=True),
    Column("tenant", String(40), nullable=False),
    Column("nip", String(18), nullable=False),
    Column("employee_name", String(200), nullable=False),
    Column("atasan_nip", String(18), nullable=False),
    Column("atasan_name", String(200), nullable=False),
    Column("unit", String(200), nullable=False),
    Column("period_year", Integer, nullable=False),
    Column("rhk", JSON, nullable=False),
    Column("approved_at", DateTime(timezone=True), nullable=False),
    # The SKP's version in planning's event store: an older event never overwrites a newer one.
    Column("source_version", Integer, nullable=False),
    Index("ix_plans_tenant_nip_year", "tenant", "nip", "period_year"),
    Index("ix_plans_tenant_atasan", "tenant", "atasan_nip"),
)

# Realisasi per IKI and quarter, from `progress.reported` (kept even before the plan is known).
realisasi = Table(
    "realisasi",
    metadata,
    Column("skp_id", String(80), primary_key=True),
    Column("iki_id", String(120), primary_key=True),
    Column("quarter", Integer, primary_key=True, autoincrement=False),
    Column("tenant", String(40), nullable=False),
    Column("nip", String(18), nullable=False),
    Column("period_year", Integer, nullable=False),
    Column("rhk_id", String(120), nullable=False),
    Column("value", Float, nullable=False),
    Column("note", Text, nullable=True),
    Column("reported_at", DateTime(timezone=True), nullable=False),
    Column("source_version", Integer, nullable=False),
)

assessments = Table(
    "assessments",
    metadata,
    Column("assessment_id", String(120), primary_key=True),
    Column("tenant", String(40), nullable=False),
    Column("nip", String(18), nullable=False),
    Column("period_year", Integer, nullable=False),
    Column("source", String(20), nullable=False),
    Column("assessor_nip", String(18), nullable=False),
    Column("behaviour", JSON, nullable=False),
    Column("feedback", Text, nullable=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("ix_assessments_tenant_nip_year", "tenant", "nip", "period_year"),
)

evaluations = Table(
    "evaluations",
    metadata,
    Column("evaluation_id", String(80), primary_key=True),
    Column("tenant", String(40), nullable=False),
    Column("nip", String(18), nullable=False),
    Column("employee_name", String(200), nullable=False),
    Column("atasan_nip", String(18), nullable=False),
    Column("unit", String(200), nullable=False),
    Column("period_year", Integer, nullable=False),
    Column("period", String(10), nullable=False),
    Column("skp_id", String(80), nullable=False),
    Column("assessment_id", String(120), nullable=False),
    Column("evaluated_by", String(18), nullable=False),
    Column("rating_hasil_kerja", String(30), nullable=False),
    Column("rating_perilaku_kerja", String(30), nullable=False),
    Column("predikat", String(30), nullable=False),
    Column("breakdown", JSON, nullable=False),
    Column("explanation", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=False),
    Index("ix_evaluations_tenant_nip_year", "tenant", "nip", "period_year"),
    Index("ix_evaluations_tenant_atasan", "tenant", "atasan_nip"),
)
