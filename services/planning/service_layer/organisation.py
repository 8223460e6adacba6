"""Organisation register commands: units and employees of one instansi.

Each command loads the aggregate, applies the change, and in one transaction appends its events,
updates the read model and writes the integration events (unit.* / employee.*) to the outbox.
A command that changes nothing records and publishes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from services.planning.adapters import organisation_view as view
from services.planning.domain.organisation import (
    Employee,
    Unit,
    atasan_problem,
    check_unit_parent,
    employee_aggregate_id,
    unit_aggregate_id,
)
from services.planning.service_layer import skp_handlers
from shared.errors import DomainError, NotFound
from shared.nip import NipError, check_nip_kind, parse_nip
from shared.storage.unit_of_work import UnitOfWork


# -- storing aggregates (one or ten thousand) --------------------------------------------------
def store(uow: UnitOfWork, tenant: str, actor: str | None, units: Sequence[Unit], employees: Sequence[Employee]) -> int:
    """Append the aggregates' events, refresh their read rows and publish their integration events,
    in bulk statements. Returns the number of integration events published."""
    outgoing: list[tuple[str, dict[str, Any], str, str, int]] = []
    for aggregate in (*units, *employees):
        for offset, (event_type, payload) in enumerate(aggregate.published, start=1):
            outgoing.append((event_type, payload, tenant, aggregate.id, aggregate.persisted_version + offset))
    atasan_changes = [p for e in employees for t, p in e.published if t == "employee.atasan_changed"]
    changed_units = [u for u in units if u.pending]
    changed_employees = [e for e in employees if e.pending]
    uow.events.save_many([*changed_units, *changed_employees], tenant=tenant, actor=actor)
    view.save_units(uow.session, tenant, changed_units)
    view.save_employees(uow.session, tenant, changed_employees)
    uow.publish_many(outgoing)
    for aggregate in (*units, *employees):
        aggregate.published = []
    if atasan_changes:
        skp_handlers.follow_atasan_changes(uow, tenant, actor, atasan_changes)
    return len(outgoing)


# -- units ----------------------------------------------------------------------------------
def _unit(uow: UnitOfWork, tenant: str, unit_id: str) -> Unit:
    unit = uow.events.get(Unit, unit_aggregate_id(tenant, unit_id))
    if unit is None:
        raise NotFound("Unit", "Unit", unit_id)
    return unit


def _parents(uow: UnitOfWork, tenant: str) -> dict[str, str | None]:
    return {unit_id: unit["parent_unit_id"] for unit_id, unit in view.all_units(uow.session, tenant).items()}


def register_unit(uow: UnitOfWork, tenant: str, actor: str, data: Mapping[str, Any]) -> dict[str, Any]:
    with uow:
        if uow.events.load(unit_aggregate_id(tenant, data["unit_id"])):
            raise DomainError(
                "unit_exists",
                f"Unit '{data['unit_id']}' sudah terdaftar.",
                f"Unit '{data['unit_id']}' is already registered.",
                field="unit_id",
            )
        check_unit_parent(data["unit_id"], data.get("parent_unit_id"), _parents(uow, tenant))
        unit = Unit.register(tenant, data)
        store(uow, tenant, actor, [unit], [])
        uow.commit()
        return unit_record(unit)


def change_unit(uow: UnitOfWork, tenant: str, actor: str, unit_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
    with uow:
        unit = _unit(uow, tenant, unit_id)
        if "parent_unit_id" in data and data["parent_unit_id"] != unit.parent_unit_id:
            check_unit_parent(unit_id, data["parent_unit_id"], _parents(uow, tenant))
        unit.change(data)
        store(uow, tenant, actor, [unit], [])
        uow.commit()
        return unit_record(unit)


def unit_record(unit: Unit) -> dict[str, Any]:
    return {**unit.record(), "version": unit.version}


def get_unit(uow: UnitOfWork, tenant: str, unit_id: str) -> dict[str, Any]:
    with uow:
        found = view.find_unit(uow.session, tenant, unit_id)
    if found is None:
        raise NotFound("Unit", "Unit", unit_id)
    return found


def list_units(uow: UnitOfWork, tenant: str) -> list[dict[str, Any]]:
    with uow:
        return list(view.all_units(uow.session, tenant).values())


def unit_tree(uow: UnitOfWork, tenant: str) -> list[dict[str, Any]]:
    """The units as a forest: each with its `children`, by unit_id."""
    units = {unit["unit_id"]: {**unit, "children": []} for unit in list_units(uow, tenant)}
    roots = []
    for unit in units.values():
        parent = units.get(unit["parent_unit_id"] or "")
        (parent["children"] if parent else roots).append(unit)
    return roots


# -- employees ------------------------------------------------------------------------------
def _employee(uow: UnitOfWork, tenant: str, nip: str) -> Employee:
    employee = uow.events.get(Employee, employee_aggregate_id(tenant, nip))
    if employee is None:
        raise NotFound("Pegawai", "Employee", nip)
    return employee


def _unit_name(uow: UnitOfWork, tenant: str, unit_id: str) -> str:
    unit = view.find_unit(uow.session, tenant, unit_id)
    if unit is None:
        raise DomainError(
            "unit_not_registered",
            f"Unit '{unit_id}' belum terdaftar; daftarkan unitnya dulu.",
            f"Unit '{unit_id}' is not registered; register the unit first.",
            field="unit_id",
        )
    return str(unit["name"])


def _atasan_name(uow: UnitOfWork, tenant: str, atasan_nip: str | None) -> str | None:
    if not atasan_nip:
        return None
    atasan = view.find_employee(uow.session, tenant, atasan_nip)
    return atasan["name"] if atasan else None


def check_nip(nip: str, employee_type: str, field: str = "nip") -> None:
    """NIP rules (shared.nip), as a 422-style domain error naming the field."""
    try:
        problem = check_nip_kind(parse_nip(nip), employee_type)
    except NipError as exc:
        problem = exc
    if problem is not None:
        raise DomainError(problem.code, problem.message_id, problem.message_en, field=field)


def register_employee(uow: UnitOfWork, tenant: str, actor: str, data: Mapping[str, Any]) -> dict[str, Any]:
    with uow:
        if uow.events.load(employee_aggregate_id(tenant, data["nip"])):
            raise DomainError(
                "employee_exists",
                f"Pegawai {data['nip']} sudah terdaftar.",
                f"Employee {data['nip']} is already registered.",
                field="nip",
            )
        if data.get("atasan_nip") == data["nip"]:
            raise DomainError(
                "atasan_is_self",
                "Pegawai tidak dapat menjadi atasan dirinya sendiri.",
                "An employee cannot be their own atasan.",
                field="atasan_nip",
            )
        record = {
            **data,
            "unit_name": _unit_name(uow, tenant, data["unit_id"]),
            "atasan_name": _atasan_name(uow, tenant, data.get("atasan_nip")),
            "active": True,
        }
        employee = Employee.register(tenant, record)
        store(uow, tenant, actor, [], [employee])
        uow.commit()
    return get_employee(uow, tenant, data["nip"])


def _change(uow: UnitOfWork, tenant: str, actor: str, nip: str, wanted: Mapping[str, Any]) -> dict[str, Any]:
    with uow:
        employee = _employee(uow, tenant, nip)
        wanted = dict(wanted)
        if "unit_id" in wanted:
            wanted["unit_name"] = _unit_name(uow, tenant, wanted["unit_id"])
        if "atasan_nip" in wanted:
            wanted["atasan_name"] = _atasan_name(uow, tenant, wanted["atasan_nip"])
        if "employee_type" in wanted:
            check_nip(nip, wanted["employee_type"], field="employee_type")
        if wanted.get("active") is False:
            employee.deactivate()
        else:
            employee.apply(wanted)
        store(uow, tenant, actor, [], [employee])
        uow.commit()
    return get_employee(uow, tenant, nip)


def move_employee(uow: UnitOfWork, tenant: str, actor: str, nip: str, data: Mapping[str, Any]) -> dict[str, Any]:
    return _change(uow, tenant, actor, nip, data)


def change_atasan(uow: UnitOfWork, tenant: str, actor: str, nip: str, atasan_nip: str | None) -> dict[str, Any]:
    return _change(uow, tenant, actor, nip, {"atasan_nip": atasan_nip})


def update_employee(uow: UnitOfWork, tenant: str, actor: str, nip: str, data: Mapping[str, Any]) -> dict[str, Any]:
    return _change(uow, tenant, actor, nip, data)


def deactivate_employee(uow: UnitOfWork, tenant: str, actor: str, nip: str) -> dict[str, Any]:
    return _change(uow, tenant, actor, nip, {"active": False})


def get_employee(uow: UnitOfWork, tenant: str, nip: str) -> dict[str, Any]:
    with uow:
        found = view.find_employee(uow.session, tenant, nip)
    if found is None:
        raise NotFound("Pegawai", "Employee", nip)
    return found


def list_employees(
    uow: UnitOfWork, tenant: str, *, limit: int, offset: int, **filters: Any
) -> tuple[list[dict[str, Any]], int]:
    with uow:
        items = view.search_employees(uow.session, tenant, limit=limit, offset=offset, **filters)
        return items, view.count_employees(uow.session, tenant, **filters)


def employees_without_valid_atasan(uow: UnitOfWork, tenant: str) -> list[dict[str, Any]]:
    """Every active employee whose atasan is missing, unregistered, inactive, themself, in a cycle
    or not above them on the ladder — with the reason, for the admin to fix."""
    with uow:
        employees = view.all_employees(uow.session, tenant)
        units = view.all_units(uow.session, tenant)
    return list(_problems(employees.values(), employees, units))


def _problems(
    candidates: Iterable[Mapping[str, Any]],
    employees: Mapping[str, Mapping[str, Any]],
    units: Mapping[str, Mapping[str, Any]],
) -> Iterable[dict[str, Any]]:
    for employee in sorted(candidates, key=lambda e: (e["unit_id"], e["name"], e["nip"])):
        if not employee["active"]:
            continue
        problem = atasan_problem(employee, employees, units)
        if problem is not None:
            yield {
                **employee,
                "reason": problem.code,
                "message_id": problem.message_id,
                "message_en": problem.message_en,
            }
