"""Closing a period: evaluate everyone in the scope whose inputs are complete, list who is not and why.

The request writes one close record, one item per employee with an approved plan in the scope and,
in the same transaction, one `evaluation.requested` event per employee on evaluation's topic, keyed
by NIP. Evaluation's workers consume them as one consumer group: the topic's partitions spread a
city's year end over every worker copy, and one employee's work stays ordered on one partition.
Each item is evaluated in its own transaction (inbox-idempotent); a rerun of the close — or a
redelivery — completes what is new, revises what changed and leaves the rest unchanged.
"""

from __future__ import annotations

import uuid
from typing import Any

from services.evaluation.adapters import (
    assessment_view,
    organisation,
    period_close_store,
    plan_projection,
    public_input_store,
)
from services.evaluation.domain.assessment import no_approved_plan
from services.evaluation.domain.evaluation import evaluation_id_for
from services.evaluation.service_layer import clock
from services.evaluation.service_layer.evaluating import evaluate_employee, retry_on_conflict
from shared.auth import Principal, Role
from shared.errors import Forbidden, NotFound
from shared.events import Envelope
from shared.storage.unit_of_work import UnitOfWork


def request_close(
    uow: UnitOfWork, principal: Principal, period_year: int, period: str, unit_id: str | None
) -> dict[str, Any]:
    """Admin: the instansi or a unit (with its sub-units). Atasan: their own subordinates only."""
    is_admin = principal.has(Role.ADMIN)
    if not is_admin and not principal.has(Role.ATASAN):
        raise Forbidden(
            "Penutupan periode hanya oleh admin instansi atau atasan.",
            "Only the instansi admin or an atasan may close a period.",
        )
    now = clock.now()
    with uow:
        unit_ids = None
        if unit_id:
            if organisation.find_unit(uow.session, principal.tenant, unit_id) is None:
                raise NotFound("Unit kerja", "Unit", unit_id)
            unit_ids = organisation.unit_and_descendants(uow.session, principal.tenant, unit_id)
        atasan_nip = None if is_admin else principal.nip
        nips = period_close_store.plans_in_scope(
            uow.session, principal.tenant, period_year, unit_ids=unit_ids, atasan_nip=atasan_nip
        )
        close_id = f"close-{principal.tenant}-{period_year}-{period}-{uuid.uuid4().hex[:12]}"
        close = {
            "close_id": close_id,
            "tenant": principal.tenant,
            "period_year": period_year,
            "period": period,
            "unit_id": unit_id,
            "atasan_nip": atasan_nip,
            "requested_by": principal.nip,
            "requested_at": now,
        }
        period_close_store.create(uow.session, close, nips)
        work = {"close_id": close_id, "period_year": period_year, "period": period, "requested_by": principal.nip}
        uow.publish_many(
            [("evaluation.requested", {**work, "nip": nip}, principal.tenant, close_id, 1) for nip in nips]
        )
        uow.commit()
    return get_close(uow, principal, close_id)


def get_close(uow: UnitOfWork, principal: Principal, close_id: str) -> dict[str, Any]:
    with uow:
        close = period_close_store.find(uow.session, close_id)
        if close is None or close["tenant"] != principal.tenant:
            raise NotFound("Penutupan periode", "Period close", close_id)
        if not principal.has(Role.ADMIN) and close["requested_by"] != principal.nip:
            raise Forbidden(
                "Hanya admin instansi atau yang meminta penutupan ini yang dapat melihatnya.",
                "Only the instansi admin or whoever requested this close may read it.",
            )
        progress = period_close_store.progress(uow.session, close_id)
    done = close["total"] - progress["counts"]["pending"]
    return {**close, **progress, "done": done, "finished": done == close["total"]}


def prefetch_close_items(uow: UnitOfWork, envelopes: list[Envelope]) -> None:
    """A close batch's reads up front — plans, realisasi, assessments and existing evaluations of
    every employee in it, their units, and the IKM and complaints of those that serve the public —
    in seven queries per instansi and period instead of about six per employee and two per unit."""
    wanted: dict[tuple[str, int, str], set[str]] = {}
    evaluation_ids = []
    for envelope in envelopes:
        item = envelope.payload
        wanted.setdefault((envelope.tenant, item["period_year"], item["period"]), set()).add(item["nip"])
        evaluation_ids.append(evaluation_id_for(item["nip"], item["period_year"], item["period"]))
    for (tenant, year, period), nips in wanted.items():
        plan_projection.prime(uow.session, tenant, nips, year)
        assessment_view.prime(uow.session, tenant, nips, year)
        plans = (plan_projection.plan_for(uow.session, tenant, nip, year) for nip in nips)
        unit_ids = {p["unit_id"] for p in plans if p and p.get("unit_id")}
        organisation.prime_units(uow.session, tenant, unit_ids)
        serving = {
            u for u in unit_ids if (unit := organisation.find_unit(uow.session, tenant, u)) and unit["serves_public"]
        }
        public_input_store.prime_public_input(uow.session, tenant, serving, year, period)
    uow.events.prefetch(evaluation_ids)


@retry_on_conflict
def on_evaluation_requested(uow: UnitOfWork, envelope: Envelope) -> None:
    """One employee of a period close (worker side)."""
    item = envelope.payload
    tenant, nip, year, period = envelope.tenant, item["nip"], item["period_year"], item["period"]
    plan = plan_projection.plan_for(uow.session, tenant, nip, year)
    if plan is None:
        error = no_approved_plan(nip, year)
        reasons = [{"code": error.code, "message": error.message_id}]
        period_close_store.record_item(uow.session, item["close_id"], nip, "incomplete", reasons)
        return
    outcome = evaluate_employee(
        uow,
        tenant,
        plan,
        period,
        evaluated_by=plan["atasan_nip"],
        actor=item["requested_by"],
        now=clock.now(),
        require_complete_realisasi=True,
        revision_reason="Penutupan periode ulang: data terbaru diperhitungkan.",
    )
    period_close_store.record_item(uow.session, item["close_id"], nip, outcome.status, outcome.reasons or None)


on_evaluation_requested.prefetch = prefetch_close_items  # type: ignore[attr-defined]
