"""Rewards' own database: its event store, outbox, inbox, the evaluation history and the decisions read model."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import JSON, Column, DateTime, Float, Index, Integer, MetaData, String, Table

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
    Index("ix_decisions_tenant_nip", "tenant", "nip", "period_year"),
)
