"""Planning's command handlers: load the SKP, apply the command, save events, projection and
integration events in one transaction."""

from __future__ import annotations

from typing import Any

from services.planning.adapters import skp_view
from services.planning.domain.skp import Person, Skp, skp_id_for
from shared.auth import Principal
from shared.errors import DomainError, NotFound
from shared.storage.unit_of_work import UnitOfWork


def _load(uow: UnitOfWork, skp_id: str, principal: Principal) -> Skp:
    skp = uow.events.get(Skp, skp_id)
    if skp is None or skp.tenant != principal.tenant:  # another instansi's plan does not exist for you
        raise NotFound("SKP", "SKP", skp_id)
    return skp


def _save(uow: UnitOfWork, skp: Skp, principal: Principal) -> None:
    uow.events.save(skp, tenant=skp.tenant, actor=principal.nip)
    skp_view.upsert(uow.session, skp)


def draft_skp(uow: UnitOfWork, principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
    with uow:
        skp_id = skp_id_for(principal.nip, data["period_year"])
        if uow.events.load(skp_id):
            raise DomainError(
                "skp_exists",
                f"SKP untuk periode {data['period_year']} sudah ada ({skp_id}).",
                f"An SKP for period {data['period_year']} already exists ({skp_id}).",
                field="period_year",
            )
        skp = Skp.draft(
            tenant=principal.tenant,
            owner=Person(principal.nip, data["employee_name"]),
            atasan=Person(data["atasan"]["nip"], data["atasan"]["name"]),
            unit=data["unit"],
            period_year=data["period_year"],
            rhk=data["rhk"],
        )
        _save(uow, skp, principal)
        uow.commit()
    return _view(uow, skp.id)


def revise_skp(uow: UnitOfWork, principal: Principal, skp_id: str, rhk: list[dict[str, Any]]) -> dict[str, Any]:
    with uow:
        skp = _load(uow, skp_id, principal)
        skp.revise(principal.nip, rhk)
        _save(uow, skp, principal)
        uow.commit()
    return _view(uow, skp_id)


def submit_skp(uow: UnitOfWork, principal: Principal, skp_id: str) -> dict[str, Any]:
    with uow:
        skp = _load(uow, skp_id, principal)
        skp.submit(principal.nip)
        _save(uow, skp, principal)
        uow.publish(
            "plan.submitted", skp.plan_payload(), tenant=skp.tenant, aggregate_id=skp.id, aggregate_version=skp.version
        )
        uow.commit()
    return _view(uow, skp_id)


def approve_skp(uow: UnitOfWork, principal: Principal, skp_id: str) -> dict[str, Any]:
    with uow:
        skp = _load(uow, skp_id, principal)
        skp.approve(principal.nip)
        _save(uow, skp, principal)
        uow.publish(
            "plan.approved",
            {**skp.plan_payload(), "approved_by": principal.nip},
            tenant=skp.tenant,
            aggregate_id=skp.id,
            aggregate_version=skp.version,
        )
        uow.commit()
    return _view(uow, skp_id)


def return_skp(uow: UnitOfWork, principal: Principal, skp_id: str, reason: str) -> dict[str, Any]:
    with uow:
        skp = _load(uow, skp_id, principal)
        skp.return_to_employee(principal.nip, reason)
        _save(uow, skp, principal)
        uow.publish(
            "plan.returned",
            {
                "skp_id": skp.id,
                "nip": skp.owner.nip,
                "employee_name": skp.owner.name,
                "period_year": skp.period_year,
                "returned_by": principal.nip,
                "returned_by_name": skp.atasan.name,
                "reason": reason,
            },
            tenant=skp.tenant,
            aggregate_id=skp.id,
            aggregate_version=skp.version,
        )
        uow.commit()
    return _view(uow, skp_id)


def report_progress(uow: UnitOfWork, principal: Principal, skp_id: str, data: dict[str, Any]) -> dict[str, Any]:
    with uow:
        skp = _load(uow, skp_id, principal)
        report = skp.report_progress(
            principal.nip,
            quarter=data["quarter"],
            iki_id=data["iki_id"],
            value=data["value"],
            note=data.get("note"),
            evidence_url=data.get("evidence_url"),
        )
        _save(uow, skp, principal)
        uow.publish(
            "progress.reported",
            {"skp_id": skp.id, "nip": skp.owner.nip, "period_year": skp.period_year, **report},
            tenant=skp.tenant,
            aggregate_id=skp.id,
            aggregate_version=skp.version,
        )
        uow.commit()
    return _view(uow, skp_id)


def get_skp(uow: UnitOfWork, principal: Principal, skp_id: str) -> dict[str, Any]:
    view = _view(uow, skp_id)
    if view["tenant"] != principal.tenant:
        raise NotFound("SKP", "SKP", skp_id)
    return view


def _view(uow: UnitOfWork, skp_id: str) -> dict[str, Any]:
    with uow:
        view = skp_view.find(uow.session, skp_id)
    if view is None:
        raise NotFound("SKP", "SKP", skp_id)
    return view


def list_skp(uow: UnitOfWork, principal: Principal, **filters: Any) -> list[dict[str, Any]]:
    with uow:
        return skp_view.search(uow.session, principal.tenant, **filters)
