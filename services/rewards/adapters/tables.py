"""Rewards' own database: its event store, outbox, inbox, the evaluation history and the decisions read model."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Float, Index, Integer, MetaData, String, Table
from sqlalchemy import true as sa_true

from shared.storage.tables import add_eventing_tables

metadata = MetaData()
eventing = add_eventing_tables(metadata)
MIGRATIONS = Path(__file__).parent / "migrations"

# Every evaluation result seen (annual and quarterly), learnt from `evaluation.completed`:
# promotion eligibility looks up last year's annual predikat here.
evaluation_history = Table(
    "evaluation_history",
    metadata,
    Column("tenant", String(40), primary_key=True),
    Column("nip", String(18), primary_key=True),
    Column("period_year", Integer, primary_key=True, autoincrement=False),
    Column("period", String(10), primary_key=True),
    Column("predikat", String(20), nullable=False),
    Column("evaluation_id", String(120), nullable=False),
)

decisions = Table(
    "decisions",
    metadata,
    Column("decision_id", String(140), primary_key=True),
    Column("tenant", String(40), nullable=False),
    Column("nip", String(18), nullable=False),
    Column("employee_name", String(200), nullable=False),
    Column("period_year", Integer, nullable=False),
    Column("kind", String(10), nullable=False),  # reward | coaching
    Column("predikat", String(20), nullable=False),
    Column("incentive_percentage", Float, nullable=False),
    Column("details", JSON, nullable=False),
    Column("policy_version", String(60), nullable=False),
    Column("evaluation_id", String(120), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Added with the follow-up rules: the unit (register, budgets), the state and the order of decisions.
    Column("unit_id", String(60)),
    Column("unit_name", String(200)),
    Column("state", String(20)),
    Column("active", Boolean, nullable=False, server_default=sa_true()),
    Column("gross_amount", Float),
    Column("seq", Integer),
    Index("ix_decisions_tenant_nip", "tenant", "nip", "period_year"),
    Index("ix_decisions_tenant_unit", "tenant", "period_year", "unit_id"),
    Index("ix_decisions_seq", "seq"),  # max(seq) on every new decision
)

# Rewards' copy of the employee register, from the organisation events (employee.*): credit points
# need the functional jenjang, budgets are per unit, the coach is the atasan.
employees = Table(
    "employees",
    metadata,
    Column("tenant", String(40), primary_key=True),
    Column("nip", String(18), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("unit_id", String(60), nullable=False),
    Column("unit_name", String(200), nullable=False),
    Column("position_kind", String(20), nullable=False),
    Column("position_grade", String(60)),
    Column("atasan_nip", String(18)),
    Column("atasan_name", String(200)),
    Column("active", Boolean, nullable=False),
    Index("ix_employees_atasan", "tenant", "atasan_nip"),
)

# IKI id -> aspect, from approved and amended plans: IKI weaknesses are matched to courses by aspect.
iki_aspects = Table(
    "iki_aspects",
    metadata,
    Column("tenant", String(40), primary_key=True),
    Column("iki_id", String(120), primary_key=True),
    Column("aspect", String(20), nullable=False),
)

# One row per employee and annual period: the decision in force, and how it came about. A
# redelivered or stale result is recognised here (same evaluation, same or older revision).
period_ledger = Table(
    "period_ledger",
    metadata,
    Column("tenant", String(40), primary_key=True),
    Column("nip", String(18), primary_key=True),
    Column("period_year", Integer, primary_key=True, autoincrement=False),
    Column("evaluation_id", String(120), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("generation", Integer, nullable=False),
    Column("decision_id", String(140), nullable=False),
    Column("policy_version", String(60), nullable=False),
    Column("evaluation", JSON, nullable=False),  # the payload decided on, for an operator's re-run
)

# Published policy versions (admin_instansi, through the API); never updated, only added.
policy_versions = Table(
    "policy_versions",
    metadata,
    Column("tenant", String(40), primary_key=True),
    Column("version", String(60), primary_key=True),
    Column("effective_from", Date, nullable=False),
    Column("document", JSON, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("published_by", String(18), nullable=False),
    Column("seq", Integer, nullable=False),  # publication order within the tenant
)

# Incentive budget per unit and period, set by the instansi admin.
unit_budgets = Table(
    "unit_budgets",
    metadata,
    Column("tenant", String(40), primary_key=True),
    Column("unit_id", String(60), primary_key=True),
    Column("period_year", Integer, primary_key=True, autoincrement=False),
    Column("amount", Float, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(18), nullable=False),
)
