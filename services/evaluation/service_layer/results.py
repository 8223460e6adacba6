"""Commands on a completed evaluation: calibration by the appraiser, keberatan by the employee and
its decision by the atasan pejabat penilai. Every change is an event and, when the result changes,
an `evaluation.revised` integration event."""

from __future__ import annotations

from typing import Any

from services.evaluation.adapters import evaluation_view, organisation
from services.evaluation.domain.evaluation import Evaluation
from services.evaluation.service_layer import clock
from services.evaluation.service_layer.evaluating import save_and_publish
from shared.auth import Principal
from shared.errors import NotFound
from shared.storage.unit_of_work import UnitOfWork


def _load(uow: UnitOfWork, principal: Principal, evaluation_id: str) -> Evaluation:
    evaluation = uow.events.get(Evaluation, evaluation_id)
    if evaluation is None or evaluation.tenant != principal.tenant:
        raise NotFound("Evaluasi", "Evaluation", evaluation_id)
    return evaluation


def _view(uow: UnitOfWork, evaluation_id: str) -> dict[str, Any]:
    view = evaluation_view.find(uow.session, evaluation_id)
    assert view is not None
    return view


def calibrate(uow: UnitOfWork, principal: Principal, evaluation_id: str, data: dict[str, Any]) -> dict[str, Any]:
    with uow:
        evaluation = _load(uow, principal, evaluation_id)
        previous = evaluation.state["predikat"]
        evaluation.calibrate(by=principal.nip, predikat=data["predikat"], reason=data["reason"], now=clock.now())
        uow.publish(
            "evaluation.calibrated",
            {
                "evaluation_id": evaluation.id,
                **{k: evaluation.state[k] for k in ("nip", "period_year", "period", "matrix_predikat", "predikat")},
                "previous_predikat": previous,
                "reason": data["reason"].strip(),
                "calibrated_by": principal.nip,
            },
            tenant=evaluation.tenant,
            aggregate_id=evaluation.id,
            aggregate_version=evaluation.version,
        )
        save_and_publish(uow, evaluation, actor=principal.nip, revised=True)
        uow.commit()
        return _view(uow, evaluation_id)


def file_appeal(uow: UnitOfWork, principal: Principal, evaluation_id: str, data: dict[str, Any]) -> dict[str, Any]:
    with uow:
        evaluation = _load(uow, principal, evaluation_id)
        # The atasan pejabat penilai is the atasan of the appraiser, from the organisation register.
        decider = organisation.atasan_of(uow.session, principal.tenant, evaluation.state["atasan_nip"])
        evaluation.file_appeal(
            by=principal.nip,
            reason=data["reason"],
            decider_nip=decider,
            now=clock.now(),
            requested_predikat=data.get("requested_predikat"),
        )
        appeal = evaluation.state["appeal"]
        uow.events.save(evaluation, tenant=evaluation.tenant, actor=principal.nip)
        evaluation_view.upsert(uow.session, evaluation)
        uow.publish(
            "appeal.filed",
            {
                **evaluation.appeal_payload(),
                "predikat": appeal["predikat"],
                "requested_predikat": appeal["requested_predikat"],
                "reason": appeal["reason"],
                "decider_nip": appeal["decider_nip"],
                "filed_at": appeal["filed_at"],
                "deadline": appeal["deadline"],
            },
            tenant=evaluation.tenant,
            aggregate_id=evaluation.id,
            aggregate_version=evaluation.version,
        )
        uow.commit()
        return _view(uow, evaluation_id)


def decide_appeal(uow: UnitOfWork, principal: Principal, evaluation_id: str, data: dict[str, Any]) -> dict[str, Any]:
    with uow:
        evaluation = _load(uow, principal, evaluation_id)
        previous = evaluation.state["predikat"]
        changed = evaluation.decide_appeal(
            by=principal.nip,
            decision=data["decision"],
            predikat=data.get("predikat"),
            reason=data["reason"],
            now=clock.now(),
        )
        uow.publish(
            "appeal.decided",
            {
                **evaluation.appeal_payload(),
                "decision": data["decision"],
                "previous_predikat": previous,
                "predikat": evaluation.state["predikat"],
                "reason": data["reason"].strip(),
                "decided_by": principal.nip,
            },
            tenant=evaluation.tenant,
            aggregate_id=evaluation.id,
            aggregate_version=evaluation.version,
        )
        if changed:
            save_and_publish(uow, evaluation, actor=principal.nip, revised=True)
        else:
            uow.events.save(evaluation, tenant=evaluation.tenant, actor=principal.nip)
            evaluation_view.upsert(uow.session, evaluation)
        uow.commit()
        return _view(uow, evaluation_id)
