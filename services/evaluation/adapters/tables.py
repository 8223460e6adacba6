"""Evaluation's own database: event store, outbox, inbox, the projections of planning's events
(plans, realisasi) and the read models of its own aggregates (assessments, evaluations)."""

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
    MetaData,
    String,
    Table,
    Text,
    false,
    true,
)

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
    Column("unit_id", String(60), nullable=True),
    Column("template", String(10), nullable=True),
    Column("expectations", JSON, nullable=True),
    # A unit head's results rating follows the unit's achievement (the IKI with a unit target).
    Column("results_follow_unit", Boolean, nullable=False, server_default=false()),
    Column("amendment_no", Integer, nullable=True),
    Index("ix_plans_tenant_nip_year", "tenant", "nip", "period_year"),
    Index("ix_plans_tenant_year_unit", "tenant", "period_year", "unit_id"),
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
    Column("unit_id", String(60), nullable=True),
    Column("matrix_predikat", String(30), nullable=True),
    Column("strengths", JSON, nullable=True),
    Column("weaknesses", JSON, nullable=True),
    Column("revision", Integer, nullable=False, server_default="0"),
    Column("override", JSON, nullable=True),  # {kind: kalibrasi|keberatan, predikat, reason, by}
    Column("appeal", JSON, nullable=True),
    Column("appeal_status", String(20), nullable=True),  # filed | accepted | rejected
    Column("appeal_decider_nip", String(18), nullable=True),
    Column("result_at", DateTime(timezone=True), nullable=True),  # the appeal window runs from it
    Index("ix_evaluations_tenant_nip_year", "tenant", "nip", "period_year"),
    Index("ix_evaluations_tenant_atasan", "tenant", "atasan_nip"),
    Index("ix_evaluations_skp", "skp_id"),
    Index("ix_evaluations_tenant_year_period", "tenant", "period_year", "period"),
)

# --- organisation, from planning's organisation events ----------------------------------------

units = Table(
    "units",
    metadata,
    Column("tenant", String(40), primary_key=True),
    Column("unit_id", String(60), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("parent_unit_id", String(60), nullable=True),
    Column("serves_public", Boolean, nullable=False, server_default=false()),
)

employees = Table(
    "employees",
    metadata,
    Column("tenant", String(40), primary_key=True),
    Column("nip", String(18), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("unit_id", String(60), nullable=False),
    Column("unit_name", String(200), nullable=False),
    Column("position_kind", String(20), nullable=False),
    Column("is_unit_head", Boolean, nullable=False, server_default=false()),
    Column("atasan_nip", String(18), nullable=True),
    Column("active", Boolean, nullable=False, server_default=true()),
    Index("ix_employees_tenant_unit", "tenant", "unit_id"),
)

# --- public input (units that serve the public) -----------------------------------------------

ikm_surveys = Table(
    "ikm_surveys",
    metadata,
    Column("survey_id", String(120), primary_key=True),
    Column("tenant", String(40), nullable=False),
    Column("unit_id", String(60), nullable=False),
    Column("period_year", Integer, nullable=False),
    Column("period", String(10), nullable=False),
    Column("respondents", Integer, nullable=False),
    Column("sums", JSON, nullable=False),  # element → sum of scores: batches add up exactly
    Column("recorded_by", String(18), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("ix_ikm_tenant_unit_year", "tenant", "unit_id", "period_year"),
)

complaints = Table(
    "complaints",
    metadata,
    Column("tenant", String(40), primary_key=True),
    Column("complaint_id", String(120), primary_key=True),
    Column("unit_id", String(60), nullable=False),
    Column("period_year", Integer, nullable=False),
    Column("channel", String(40), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("first_response_at", DateTime(timezone=True), nullable=True),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    Column("version", Integer, nullable=False),
    Index("ix_complaints_tenant_unit_year", "tenant", "unit_id", "period_year"),
)

organisation_predikat = Table(
    "organisation_predikat",
    metadata,
    Column("tenant", String(40), primary_key=True),
    Column("unit_id", String(60), primary_key=True),
    Column("period_year", Integer, primary_key=True, autoincrement=False),
    Column("period", String(10), primary_key=True),
    Column("predikat", String(30), nullable=False),
    Column("note", Text, nullable=True),
    Column("set_by", String(18), nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
)

# --- period close: one row per close, one per employee in its scope ---------------------------

period_closes = Table(
    "period_closes",
    metadata,
    Column("close_id", String(80), primary_key=True),
    Column("tenant", String(40), nullable=False),
    Column("period_year", Integer, nullable=False),
    Column("period", String(10), nullable=False),
    Column("unit_id", String(60), nullable=True),
    Column("atasan_nip", String(18), nullable=True),
    Column("requested_by", String(18), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("total", Integer, nullable=False),
)

close_items = Table(
    "close_items",
    metadata,
    Column("close_id", String(80), primary_key=True),
    Column("nip", String(18), primary_key=True),
    Column("tenant", String(40), nullable=False),
    # pending | completed | revised | unchanged | incomplete
    Column("status", String(20), nullable=False),
    Column("reasons", JSON, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # No (close_id, status) index: with the statistics of a close just written, PostgreSQL chose it
    # for the per-item update and filtered the whole close by NIP — quadratic at year-end. The
    # primary key serves both the update and the progress counts (by its close_id prefix).
)
