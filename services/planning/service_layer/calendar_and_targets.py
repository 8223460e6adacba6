"""The instansi admin's calendar and unit targets: close and reopen quarters, set unit targets."""

from __future__ import annotations

from typing import Any

from services.planning.adapters import organisation_view, planning_views
from services.planning.domain.reporting_period import ReportingPeriod, period_id_for
from services.planning.domain.unit_targets import UnitTargets, unit_targets_id_for
from shared.auth import Principal
from shared.errors import DomainError
from shared.storage.unit_of_work import UnitOfWork


def close_quarter(
    uow: UnitOfWork, principal: Principal, period_year: int, quarter: int, reason: str | None
) -> list[dict[str, Any]]:
    with uow:
        period = uow.events.get(ReportingPeriod, period_id_for(principal.tenant, period_year))
        period = period or ReportingPeriod.open(principal.tenant, period_year)
        period.close_quarter(quarter, principal.nip, reason)
        uow.events.save(period, tenant=principal.tenant, actor=principal.nip)
        planning_views.save_quarter(uow.session, period, quarter, principal.nip, reason)
        uow.commit()
    return quarters(uow, principal, period_year)


def reopen_quarter(
    uow: UnitOfWork, principal: Principal, period_year: int, quarter: int, reason: str
) -> list[dict[str, Any]]:
    with uow:
        period = uow.events.get(ReportingPeriod, period_id_for(principal.tenant, period_year))
        period = period or ReportingPeriod.open(principal.tenant, period_year)
        period.reopen_quarter(quarter, principal.nip, reason)
        uow.events.save(period, tenant=principal.tenant, actor=principal.nip)
        planning_views.save_quarter(uow.session, period, quarter, principal.nip, reason)
        uow.commit()
    return quarters(uow, principal, period_year)


def quarters(uow: UnitOfWork, principal: Principal, period_year: int) -> list[dict[str, Any]]:
    with uow:
        return planning_views.quarters(uow.session, principal.tenant, period_year)


def set_unit_target(uow: UnitOfWork, principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
    with uow:
        if organisation_view.find_unit(uow.session, principal.tenant, data["unit_id"]) is None:
            raise DomainError(
                "unknown_unit",
                f"Unit '{data['unit_id']}' tidak terdaftar di instansi ini.",
                f"Unit '{data['unit_id']}' is not registered in this instansi.",
                field="unit_id",
            )
        aggregate_id = unit_targets_id_for(principal.tenant, data["unit_id"], data["period_year"])
        targets = uow.events.get(UnitTargets, aggregate_id)
        targets = targets or UnitTargets.start(principal.tenant, data["unit_id"], data["period_year"])
        target = targets.set_target(
            code=data["code"],
            indicator=data["indicator"],
            target=data["target"],
            unit=data["unit"],
            direction=data["direction"],
            by=principal.nip,
        )
        uow.events.save(targets, tenant=principal.tenant, actor=principal.nip)
        planning_views.save_unit_targets(uow.session, targets)
        uow.commit()
    return {**target, "tenant": principal.tenant}


def list_unit_targets(
    uow: UnitOfWork, principal: Principal, unit_id: str | None, period_year: int | None
) -> list[dict[str, Any]]:
    with uow:
        return planning_views.unit_targets(uow.session, principal.tenant, unit_id, period_year)
