"""Computing an employee's evaluation from evaluation's own projections, and recomputing it when
late data arrives. Shared by the atasan's command, the period close and the projections.

Runs inside the caller's unit of work (no commit here): events, read model and integration events
of one evaluation are written in the caller's transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.evaluation.adapters import (
    assessment_view,
    evaluation_view,
    organisation,
    plan_projection,
    public_input_store,
)
from services.evaluation.domain.evaluation import Evaluation, evaluation_id_for
from services.evaluation.domain.public_input import GRADE_LABEL, ikm_grade, summarise_complaints
from services.evaluation.domain.scoring import DEFAULT_CONFIG, ScoringConfig, realisasi_for_period
from shared.contracts.vocabulary import AssessmentSource
from shared.errors import ConcurrencyConflict
from shared.events import Envelope
from shared.storage.unit_of_work import UnitOfWork


class EvaluationChangedConcurrently(RuntimeError):
    """Another worker copy revised the same evaluation first (a close item on one partition, a late
    realisasi on another). Not a DomainError: the consumer retries it, and the retry starts over
    from the newer version instead of dead-lettering the work."""


def retry_on_conflict(handler: Callable[[UnitOfWork, Envelope], None]) -> Callable[[UnitOfWork, Envelope], None]:
    @functools.wraps(handler)
    def wrapped(uow: UnitOfWork, envelope: Envelope) -> None:
        try:
            handler(uow, envelope)
        except ConcurrencyConflict as exc:
            raise EvaluationChangedConcurrently(str(exc)) from exc

    return wrapped


_SOURCE_LABEL = {
    AssessmentSource.SELF.value: "penilaian mandiri",
    AssessmentSource.PEER.value: "rekan kerja",
    AssessmentSource.SUBORDINATE.value: "bawahan",
}


@dataclass
class Inputs:
    assessment_id: str | None
    data: dict[str, Any]
    reasons: list[dict[str, Any]] = field(default_factory=list)  # why the inputs are incomplete


def gather_inputs(uow: UnitOfWork, tenant: str, plan: dict[str, Any], period: str, now: datetime) -> Inputs:
    session = uow.session
    nip, year = plan["nip"], plan["period_year"]
    reasons: list[dict[str, Any]] = []
    atasan = assessment_view.atasan_assessment(session, tenant, nip, year, plan["atasan_nip"])
    if atasan is None:
        reasons.append(
            {
                "code": "no_atasan_assessment",
                "message": f"Atasan {plan['atasan_nip']} belum memberi penilaian perilaku kerja.",
            }
        )
    realisasi = plan_projection.realisasi_values(session, plan["skp_id"])
    missing = [
        iki["iki_id"]
        for item in plan["rhk"]
        for iki in item["iki"]
        if realisasi_for_period(realisasi.get(iki["iki_id"], {}), period) is None
    ]
    if missing:
        reasons.append(
            {"code": "missing_realisasi", "message": f"{len(missing)} IKI belum ada realisasinya.", "iki": missing}
        )
    others = [a for a in assessment_view.for_employee(session, tenant, nip, year) if a["source"] in _SOURCE_LABEL]
    notes = []
    if others:
        counted = ", ".join(
            f"{label} ({sum(1 for a in others if a['source'] == source)})" for source, label in _SOURCE_LABEL.items()
        )
        notes.append(
            f"Masukan lain: {counted}; dipakai untuk kekuatan dan kelemahan — rating perilaku kerja ditetapkan "
            "dari penilaian atasan."
        )
    notes += public_notes(uow, tenant, plan.get("unit_id"), year, period, now)
    data = {
        "behaviour": atasan["behaviour"] if atasan else {},
        "realisasi": realisasi,
        "other_behaviour": [a["behaviour"] for a in others],
        "input_notes": notes,
        "missing_realisasi": missing,
    }
    return Inputs(atasan["assessment_id"] if atasan else None, data, reasons)


def public_notes(uow: UnitOfWork, tenant: str, unit_id: str | None, year: int, period: str, now: datetime) -> list[str]:
    """A sentence on the unit's public input, for employees of units that serve the public."""
    unit = organisation.find_unit(uow.session, tenant, unit_id) if unit_id else None
    if not unit or not unit["serves_public"]:
        return []
    tally = public_input_store.ikm_tally(uow.session, tenant, {unit_id}, year, period)
    complaints = summarise_complaints(
        public_input_store.complaint_rows(uow.session, tenant, {unit_id}, year, period), now
    )
    ikm = tally.ikm()
    ikm_text = (
        f"IKM {ikm:.2f} (mutu {ikm_grade(ikm)}, {GRADE_LABEL[ikm_grade(ikm)]}; {tally.respondents} responden)"
        if ikm is not None
        else "IKM belum ada"
    )
    return [
        f"Masukan publik unit {unit['name']}: {ikm_text}; pengaduan {complaints.received} diterima, "
        f"{complaints.responded_in_time} ditanggapi ≤ 3 hari, {complaints.resolved} selesai."
    ]


@dataclass
class Outcome:
    status: str  # completed | revised | unchanged | incomplete
    evaluation: Evaluation | None = None
    reasons: list[dict[str, Any]] = field(default_factory=list)


def evaluate_employee(
    uow: UnitOfWork,
    tenant: str,
    plan: dict[str, Any],
    period: str,
    *,
    evaluated_by: str,
    actor: str,
    now: datetime,
    require_complete_realisasi: bool,
    revision_reason: str,
    config: ScoringConfig = DEFAULT_CONFIG,
) -> Outcome:
    """Complete the evaluation, or revise it if it exists and the result changed."""
    inputs = gather_inputs(uow, tenant, plan, period, now)
    blocking = [r for r in inputs.reasons if r["code"] != "missing_realisasi" or require_complete_realisasi]
    if blocking:
        return Outcome("incomplete", reasons=blocking)
    existing = uow.events.get(Evaluation, evaluation_id_for(plan["nip"], plan["period_year"], period))
    if existing is not None:
        if not existing.recompute(plan, inputs.data, reason=revision_reason, now=now, config=config):
            return Outcome("unchanged", existing)
        save_and_publish(uow, existing, actor=actor, revised=True)
        return Outcome("revised", existing)
    assert inputs.assessment_id is not None
    evaluation = Evaluation.complete(
        tenant=tenant,
        plan=plan,
        period=period,
        assessment_id=inputs.assessment_id,
        behaviour=inputs.data["behaviour"],
        realisasi=inputs.data["realisasi"],
        evaluated_by=evaluated_by,
        now=now,
        config=config,
        other_behaviour=inputs.data["other_behaviour"],
        input_notes=inputs.data["input_notes"],
    )
    save_and_publish(uow, evaluation, actor=actor, revised=False)
    return Outcome("completed", evaluation)


def save_and_publish(uow: UnitOfWork, evaluation: Evaluation, *, actor: str, revised: bool) -> None:
    uow.events.save(evaluation, tenant=evaluation.tenant, actor=actor)
    evaluation_view.upsert(uow.session, evaluation)
    uow.publish(
        "evaluation.revised" if revised else "evaluation.completed",
        evaluation.revised_payload() if revised else evaluation.payload(),
        tenant=evaluation.tenant,
        aggregate_id=evaluation.id,
        aggregate_version=evaluation.version,
    )


def recompute_for_plan(uow: UnitOfWork, tenant: str, skp_id: str, reason: str, now: datetime) -> int:
    """Late data for a plan (a corrected realisasi, an amendment): revise its evaluations whose
    result changes. Returns how many were revised."""
    plan = plan_projection.find_plan(uow.session, skp_id)
    if plan is None:
        return 0
    revised = 0
    for evaluation_id in evaluation_view.ids_for_skp(uow.session, skp_id):
        evaluation = uow.events.get(Evaluation, evaluation_id)
        if evaluation is None:
            continue
        inputs = gather_inputs(uow, tenant, plan, evaluation.state["period"], now)
        if inputs.assessment_id is None:
            continue
        if evaluation.recompute(plan, inputs.data, reason=reason, now=now, config=DEFAULT_CONFIG):
            save_and_publish(uow, evaluation, actor="system", revised=True)
            revised += 1
    return revised
