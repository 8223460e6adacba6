"""Read models of the organisation register (unit_view, employee_view), kept in step with the
Unit and Employee aggregates in the same transaction, and the queries other planning code uses.

The read functions return employee records with the keys of shared.contracts.organisation's
EmployeeSchema; unit and atasan names are taken fresh from their own rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from services.planning.adapters.tables import employee_view, unit_view
from services.planning.domain.organisation import EMPLOYEE_FIELDS, UNIT_FIELDS, Employee, Unit
from shared.storage.upsert import upsert_many

_atasan = aliased(employee_view, name="atasan")


def _employee_query() -> Select[Any]:
    e = employee_view.c
    columns = [e[name] for name in EMPLOYEE_FIELDS if name not in ("unit_name", "atasan_name")]
    return select(
        *columns,
        func.coalesce(unit_view.c.name, e.unit_name).label("unit_name"),
        func.coalesce(_atasan.c.name, e.atasan_name).label("atasan_name"),
        e.version,
    ).select_from(
        employee_view.outerjoin(
            unit_view, and_(unit_view.c.tenant == e.tenant, unit_view.c.unit_id == e.unit_id)
        ).outerjoin(_atasan, and_(_atasan.c.tenant == e.tenant, _atasan.c.nip == e.atasan_nip))
    )


def _employee(row: Any) -> dict[str, Any]:
    return {name: row[name] for name in (*EMPLOYEE_FIELDS, "version")}


# -- the functions the rest of planning codes against -----------------------------------------
def find_employee(session: Session, tenant: str, nip: str) -> dict[str, Any] | None:
    """The employee as registered now (EmployeeSchema keys, plus `version`), or None."""
    row = (
        session.execute(_employee_query().where(employee_view.c.tenant == tenant, employee_view.c.nip == nip))
        .mappings()
        .first()
    )
    return _employee(row) if row else None


def direct_subordinates(session: Session, tenant: str, atasan_nip: str) -> list[dict[str, Any]]:
    """Active employees whose atasan is `atasan_nip`, by name."""
    return search_employees(session, tenant, atasan_nip=atasan_nip, active=True, limit=None)


def find_unit(session: Session, tenant: str, unit_id: str) -> dict[str, Any] | None:
    row = (
        session.execute(select(unit_view).where(unit_view.c.tenant == tenant, unit_view.c.unit_id == unit_id))
        .mappings()
        .first()
    )
    return _unit(row) if row else None


def unit_heads(session: Session, tenant: str, unit_id: str) -> list[dict[str, Any]]:
    """The active employees marked as head of the unit (normally one)."""
    return search_employees(session, tenant, unit_id=unit_id, is_unit_head=True, active=True, limit=None)


# -- queries of the API -----------------------------------------------------------------------
def search_employees(
    session: Session, tenant: str, *, limit: int | None = 100, offset: int = 0, **filters: Any
) -> list[dict[str, Any]]:
    """Filters (equality, None = no filter): unit_id, atasan_nip, position_kind, active, is_unit_head."""
    query = _employee_query().where(employee_view.c.tenant == tenant)
    for name, value in filters.items():
        if value is not None and value != "":
            query = query.where(employee_view.c[name] == value)
    query = query.order_by(employee_view.c.name, employee_view.c.nip).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [_employee(row) for row in session.execute(query).mappings()]


def count_employees(session: Session, tenant: str, **filters: Any) -> int:
    query = select(func.count()).select_from(employee_view).where(employee_view.c.tenant == tenant)
    for name, value in filters.items():
        if value is not None and value != "":
            query = query.where(employee_view.c[name] == value)
    return int(session.execute(query).scalar_one())


def all_employees(session: Session, tenant: str) -> dict[str, dict[str, Any]]:
    """The instansi's whole register by NIP, in one plain query (bulk import, atasan checks); the unit
    and atasan names are filled in here rather than by joins (cheaper for a whole instansi)."""
    query = select(employee_view).where(employee_view.c.tenant == tenant).order_by(employee_view.c.nip)
    employees = {row["nip"]: _employee(row) for row in session.execute(query).mappings()}
    units = {
        row.unit_id: row.name
        for row in session.execute(select(unit_view.c.unit_id, unit_view.c.name).where(unit_view.c.tenant == tenant))
    }
    for employee in employees.values():
        employee["unit_name"] = units.get(employee["unit_id"], employee["unit_name"])
        atasan = employees.get(employee["atasan_nip"] or "")
        if atasan is not None:
            employee["atasan_name"] = atasan["name"]
    return employees


def all_units(session: Session, tenant: str) -> dict[str, dict[str, Any]]:
    rows = session.execute(select(unit_view).where(unit_view.c.tenant == tenant).order_by(unit_view.c.unit_id))
    return {row["unit_id"]: _unit(row) for row in rows.mappings()}


def _unit(row: Any) -> dict[str, Any]:
    return {name: row[name] for name in ("unit_id", *UNIT_FIELDS, "version")}


# -- writing ---------------------------------------------------------------------------------
def save_units(session: Session, tenant: str, units: Iterable[Unit]) -> None:
    now = datetime.now(UTC)
    rows = [{"tenant": tenant, **unit.record(), "version": unit.version, "updated_at": now} for unit in units]
    upsert_many(session, unit_view, rows, key=["tenant", "unit_id"])


def save_employees(session: Session, tenant: str, employees: Sequence[Employee]) -> None:
    now = datetime.now(UTC)
    rows = [
        {"tenant": tenant, **employee.record(), "version": employee.version, "updated_at": now}
        for employee in employees
    ]
    upsert_many(session, employee_view, rows, key=["tenant", "nip"])
