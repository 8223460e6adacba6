"""Evaluation's copy of the organisation register (from planning's unit and employee events):
the unit tree, who heads which unit, and the atasan chain (for the atasan pejabat penilai)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.evaluation.adapters.tables import employees, units
from shared.storage import session_cache
from shared.storage.in_values import in_values
from shared.storage.read_models import find_row
from shared.storage.upsert import upsert


def upsert_unit(session: Session, row: dict[str, Any]) -> None:
    upsert(session, units, row, key=["tenant", "unit_id"])
    session_cache.forget(session, "unit", (row["tenant"], row["unit_id"]))


def upsert_employee(session: Session, row: dict[str, Any]) -> None:
    upsert(session, employees, row, key=["tenant", "nip"])


def find_unit(session: Session, tenant: str, unit_id: str) -> dict[str, Any] | None:
    # once per transaction: a close batch asks for the same units many times
    return session_cache.cached(
        session, "unit", (tenant, unit_id), lambda: find_row(session, units, tenant=tenant, unit_id=unit_id)
    )


def prime_units(session: Session, tenant: str, unit_ids: set[str]) -> None:
    """Read many units in one query (a close batch's)."""
    wanted = {unit_id for _, unit_id in session_cache.missing(session, "unit", ((tenant, u) for u in unit_ids))}
    if not wanted:
        return
    found: dict[tuple[str, str], Any] = {(tenant, unit_id): None for unit_id in wanted}
    query = select(units).where(units.c.tenant == tenant, in_values(session, units.c.unit_id, wanted))
    found.update({(tenant, r["unit_id"]): dict(r) for r in session.execute(query).mappings()})
    session_cache.prime(session, "unit", found)


def find_employee(session: Session, tenant: str, nip: str) -> dict[str, Any] | None:
    return find_row(session, employees, tenant=tenant, nip=nip)


def unit_and_descendants(session: Session, tenant: str, unit_id: str) -> set[str]:
    """The unit and every unit below it in the tree (a dinas and its bidang, puskesmas, …)."""
    children: dict[str | None, list[str]] = {}
    for row in session.execute(select(units.c.unit_id, units.c.parent_unit_id).where(units.c.tenant == tenant)):
        children.setdefault(row.parent_unit_id, []).append(row.unit_id)
    found, todo = set(), [unit_id]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return found


def heads_of(session: Session, tenant: str, unit_id: str) -> set[str]:
    query = select(employees.c.nip).where(
        employees.c.tenant == tenant,
        employees.c.unit_id == unit_id,
        employees.c.is_unit_head.is_(True),
        employees.c.active.is_(True),
    )
    return set(session.execute(query).scalars())


def atasan_of(session: Session, tenant: str, nip: str) -> str | None:
    found = session.execute(
        select(employees.c.atasan_nip).where(employees.c.tenant == tenant, employees.c.nip == nip)
    ).scalar()
    return found or None
