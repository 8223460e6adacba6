"""Event handlers for planning's events: keep evaluation's own copy of approved plans and realisasi.

Called by the idempotent consumer inside its unit of work (no `with uow`, no commit here). Both are
naturally idempotent too: rows are keyed by ids from the event, and an older SKP version never
overwrites a newer one, so a redelivery or a replay leaves the same rows.
"""

from __future__ import annotations

from services.evaluation.adapters import plan_projection
from shared.events import Envelope
from shared.storage.unit_of_work import UnitOfWork


def on_plan_approved(uow: UnitOfWork, envelope: Envelope) -> None:
    plan = envelope.payload
    plan_projection.upsert_plan(
        uow.session,
        {
            "skp_id": plan["skp_id"],
            "tenant": envelope.tenant,
            "nip": plan["nip"],
            "employee_name": plan["employee_name"],
            "atasan_nip": plan["atasan_nip"],
            "atasan_name": plan["atasan_name"],
            "unit": plan["unit"],
            "period_year": plan["period_year"],
            "rhk": plan["rhk"],
            "approved_at": envelope.occurred_at,
            "source_version": envelope.aggregate_version,
        },
    )


def on_progress_reported(uow: UnitOfWork, envelope: Envelope) -> None:
    report = envelope.payload
    plan_projection.upsert_realisasi(
        uow.session,
        {
            "skp_id": report["skp_id"],
            "iki_id": report["iki_id"],
            "quarter": report["quarter"],
            "tenant": envelope.tenant,
            "nip": report["nip"],
            "period_year": report["period_year"],
            "rhk_id": report["rhk_id"],
            "value": report["value"],
            "note": report.get("note"),
            "reported_at": envelope.occurred_at,
            "source_version": envelope.aggregate_version,
        },
    )
