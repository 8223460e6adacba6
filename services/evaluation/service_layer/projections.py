"""Event handlers for planning's events: evaluation's own copy of approved plans, realisasi and the
organisation register; late data revises evaluations already completed.

Called by the idempotent consumer inside its unit of work (no `with uow`, no commit here). They are
naturally idempotent too: rows are keyed by ids from the event, and an older SKP version never
overwrites a newer one, so a redelivery or a replay leaves the same rows.
"""

from __future__ import annotations

from services.evaluation.adapters import organisation, plan_projection
from services.evaluation.service_layer import clock
from services.evaluation.service_layer.evaluating import recompute_for_plan, retry_on_conflict
from shared.events import Envelope
from shared.storage.unit_of_work import UnitOfWork


def _plan_row(envelope: Envelope) -> dict:
    plan = envelope.payload
    return {
        "skp_id": plan["skp_id"],
        "tenant": envelope.tenant,
        "nip": plan["nip"],
        "employee_name": plan["employee_name"],
        "atasan_nip": plan["atasan_nip"],
        "atasan_name": plan["atasan_name"],
        "unit": plan["unit"],
        "unit_id": plan.get("unit_id"),
        "template": plan.get("template"),
        "expectations": plan.get("expectations") or {},
        "results_follow_unit": bool(plan.get("results_follow_unit")),
        "amendment_no": plan.get("amendment_no"),
        "period_year": plan["period_year"],
        "rhk": plan["rhk"],
        "approved_at": envelope.occurred_at,
        "source_version": envelope.aggregate_version,
    }


@retry_on_conflict
def on_plan_approved(uow: UnitOfWork, envelope: Envelope) -> None:
    if plan_projection.upsert_plan(uow.session, _plan_row(envelope)):
        recompute_for_plan(uow, envelope.tenant, envelope.payload["skp_id"], "SKP disetujui ulang.", clock.now())


@retry_on_conflict
def on_plan_amended(uow: UnitOfWork, envelope: Envelope) -> None:
    """The amended plan replaces the earlier one; realisasi of IKI kept by id stay valid."""
    plan = envelope.payload
    if plan_projection.upsert_plan(uow.session, _plan_row(envelope)):
        reason = f"SKP diubah (perubahan ke-{plan['amendment_no']}): {plan['reason']}"
        recompute_for_plan(uow, envelope.tenant, plan["skp_id"], reason, clock.now())


@retry_on_conflict
def on_progress_reported(uow: UnitOfWork, envelope: Envelope) -> None:
    report = envelope.payload
    written = plan_projection.upsert_realisasi(
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
    if written:
        reason = f"Realisasi IKI {report['iki_id']} triwulan {report['quarter']} dilaporkan atau dikoreksi."
        recompute_for_plan(uow, envelope.tenant, report["skp_id"], reason, clock.now())


def on_unit(uow: UnitOfWork, envelope: Envelope) -> None:
    unit = envelope.payload
    organisation.upsert_unit(
        uow.session,
        {
            "tenant": envelope.tenant,
            "unit_id": unit["unit_id"],
            "name": unit["name"],
            "parent_unit_id": unit.get("parent_unit_id"),
            "serves_public": bool(unit.get("serves_public")),
        },
    )


def on_employee(uow: UnitOfWork, envelope: Envelope) -> None:
    """Every employee event carries the whole record: the latest one received wins."""
    employee = envelope.payload
    organisation.upsert_employee(
        uow.session,
        {
            "tenant": envelope.tenant,
            "nip": employee["nip"],
            "name": employee["name"],
            "unit_id": employee["unit_id"],
            "unit_name": employee["unit_name"],
            "position_kind": employee["position_kind"],
            "is_unit_head": bool(employee.get("is_unit_head")),
            "atasan_nip": employee.get("atasan_nip"),
            "active": employee.get("active", True),
        },
    )
