"""Evaluation's command and query handlers: each command loads what it needs, applies the domain
rules, and saves events, read model and integration event in one transaction."""

from __future__ import annotations

from typing import Any

from services.evaluation.adapters import assessment_view, evaluation_view, organisation, plan_projection
from services.evaluation.domain.assessment import (
    Assessment,
    assessment_id_for,
    authorize_assessor,
    no_approved_plan,
)
from services.evaluation.domain.evaluation import (
    authorize_evaluator,
    evaluation_exists,
    evaluation_id_for,
)
from services.evaluation.domain.scoring import DEFAULT_CONFIG, ScoringConfig
from services.evaluation.service_layer import clock
from services.evaluation.service_layer.evaluating import evaluate_employee
from shared.auth import Principal, Role
from shared.errors import DomainError, NotFound
from shared.storage.unit_of_work import UnitOfWork


def record_assessment(uow: UnitOfWork, principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
    nip, period_year, source = data["nip"], data["period_year"], data["source"]
    with uow:
        plan = plan_projection.plan_for(uow.session, principal.tenant, nip, period_year)
        authorize_assessor(
            source,
            assessor_nip=principal.nip,
            assessor_is_atasan=principal.has(Role.ATASAN),
            employee_nip=nip,
            period_year=period_year,
            plan_atasan_nip=plan["atasan_nip"] if plan else None,
            assessor=organisation.find_employee(uow.session, principal.tenant, principal.nip),
            employee=organisation.find_employee(uow.session, principal.tenant, nip),
        )
        assessment_id = assessment_id_for(nip, period_year, source, principal.nip)
        if uow.events.load(assessment_id):
            raise DomainError(
                "assessment_exists",
                f"Penilaian {source} Anda untuk pegawai {nip} periode {period_year} sudah tercatat.",
                f"Your {source} assessment of employee {nip} for period {period_year} is already recorded.",
            )
        assessment = Assessment.record(
            tenant=principal.tenant,
            nip=nip,
            period_year=period_year,
            source=source,
            assessor_nip=principal.nip,
            behaviour=data["behaviour"],
            feedback=data.get("feedback"),
        )
        uow.events.save(assessment, tenant=principal.tenant, actor=principal.nip)
        assessment_view.upsert(uow.session, assessment)
        uow.publish(
            "assessment.recorded",
            assessment.payload(),
            tenant=principal.tenant,
            aggregate_id=assessment.id,
            aggregate_version=assessment.version,
        )
        uow.commit()
        view = assessment_view.find(uow.session, assessment.id)
    assert view is not None  # written in this transaction
    return view


def compute_evaluation(
    uow: UnitOfWork, principal: Principal, data: dict[str, Any], config: ScoringConfig = DEFAULT_CONFIG
) -> dict[str, Any]:
    """The atasan computes one subordinate's evaluation now (missing realisasi count as below)."""
    nip, period_year, period = data["nip"], data["period_year"], data["period"]
    with uow:
        plan = plan_projection.plan_for(uow.session, principal.tenant, nip, period_year)
        if plan is None:
            raise no_approved_plan(nip, period_year)
        authorize_evaluator(principal.nip, plan["atasan_nip"])
        evaluation_id = evaluation_id_for(nip, period_year, period)
        if uow.events.load(evaluation_id):
            raise evaluation_exists(evaluation_id)
        outcome = evaluate_employee(
            uow,
            principal.tenant,
            plan,
            period,
            evaluated_by=principal.nip,
            actor=principal.nip,
            now=clock.now(),
            require_complete_realisasi=False,
            revision_reason="",
            config=config,
        )
        if outcome.status == "incomplete":
            raise DomainError(
                "no_atasan_assessment",
                f"Atasan belum memberi penilaian perilaku kerja untuk pegawai {nip} periode {period_year}.",
                f"The atasan has not yet assessed the work behaviour of employee {nip} for period {period_year}.",
            )
        uow.commit()
        view = evaluation_view.find(uow.session, evaluation_id)
    assert view is not None  # written in this transaction
    return view


def get_evaluation(uow: UnitOfWork, principal: Principal, evaluation_id: str) -> dict[str, Any]:
    with uow:
        view = evaluation_view.find(uow.session, evaluation_id)
    if view is None or view["tenant"] != principal.tenant:  # another instansi's data does not exist for you
        raise NotFound("Evaluasi", "Evaluation", evaluation_id)
    return view


def list_evaluations(uow: UnitOfWork, principal: Principal, **filters: Any) -> list[dict[str, Any]]:
    with uow:
        return evaluation_view.search(uow.session, principal.tenant, **filters)


def get_plan(uow: UnitOfWork, principal: Principal, skp_id: str) -> dict[str, Any]:
    with uow:
        plan = plan_projection.find_plan(uow.session, skp_id)
        if plan is None or plan["tenant"] != principal.tenant:
            raise NotFound("SKP", "SKP", skp_id)
        plan["realisasi"] = plan_projection.realisasi_rows(uow.session, skp_id)
    return plan
