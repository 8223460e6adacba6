"""Rewards' employee projection (organisation events) and IKI aspects (approved and amended plans)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.rewards.adapters.tables import employees, iki_aspects
from services.rewards.domain.follow_up import EmployeeRecord
from shared.storage import session_cache
from shared.storage.in_values import in_values
from shared.storage.read_models import find_row
from shared.storage.upsert import upsert

FIELDS = ("name", "unit_id", "unit_name", "position_kind", "position_grade", "atasan_nip", "atasan_name", "active")


def upsert_employee(session: Session, tenant: str, record: dict[str, Any]) -> None:
    """Every organisation event carries the whole record: the newest one replaces ours."""
    row = {"tenant": tenant, "nip": record["nip"], **{k: record.get(k) for k in FIELDS}}
    row["active"] = bool(record.get("active", True))
    upsert(session, employees, row, key=["tenant", "nip"])
    session_cache.forget(session, "employee", (tenant, record["nip"]))


def prime(session: Session, tenant: str, nips: set[str]) -> None:
    """Read many employees in one query (a consumer batch)."""
    found: dict[tuple[str, str], Any] = {(tenant, nip): None for nip in nips}
    query = select(employees).where(employees.c.tenant == tenant, in_values(session, employees.c.nip, nips))
    found.update({(tenant, r["nip"]): dict(r) for r in session.execute(query).mappings()})
    session_cache.prime(session, "employee", found)


def units_of(session: Session, tenant: str, nips: set[str]) -> set[str]:
    """The units of employees already read into the session cache (by `prime`)."""
    rows = (session_cache.peek(session, "employee", (tenant, nip)) for nip in nips)
    return {row["unit_id"] for row in rows if row and row["unit_id"]}


def find_employee(session: Session, tenant: str, nip: str) -> EmployeeRecord | None:
    row = session_cache.cached(
        session, "employee", (tenant, nip), lambda: find_row(session, employees, tenant=tenant, nip=nip)
    )
    if row is None:
        return None
    return EmployeeRecord(
        nip=row["nip"],
        name=row["name"],
        unit_id=row["unit_id"],
        unit_name=row["unit_name"],
        position_kind=row["position_kind"],
        position_grade=row["position_grade"],
        atasan_nip=row["atasan_nip"],
        atasan_name=row["atasan_name"],
    )


def subordinates(session: Session, tenant: str, atasan_nip: str) -> set[str]:
    t = employees
    return set(session.execute(select(t.c.nip).where(t.c.tenant == tenant, t.c.atasan_nip == atasan_nip)).scalars())


def record_plan_aspects(session: Session, tenant: str, plan: dict[str, Any]) -> None:
    for rhk in plan.get("rhk") or []:
        for iki in rhk.get("iki") or []:
            row = {"tenant": tenant, "iki_id": iki["iki_id"], "aspect": iki["aspect"]}
            upsert(session, iki_aspects, row, key=["tenant", "iki_id"])
            session_cache.forget(session, ASPECTS, (tenant, iki["iki_id"]))


ASPECTS = "iki_aspect"  # session cache: (tenant, iki_id) -> aspect or None


def prime_aspects(session: Session, tenant: str, iki_ids: set[str]) -> None:
    """The aspects of many IKI in one query (a consumer batch's evaluations)."""
    found: dict[tuple[str, str], str | None] = {(tenant, iki_id): None for iki_id in iki_ids}
    found.update({(tenant, iki_id): aspect for iki_id, aspect in _read_aspects(session, tenant, iki_ids).items()})
    session_cache.prime(session, ASPECTS, found)


def aspects_of(session: Session, tenant: str, iki_ids: list[str]) -> dict[str, str]:
    """Each IKI's aspect (quantity, quality, time, cost), from the batch's cache where primed."""
    if absent := session_cache.missing(session, ASPECTS, ((tenant, i) for i in iki_ids)):
        prime_aspects(session, tenant, {iki_id for _, iki_id in absent})
    return {i: aspect for i in iki_ids if (aspect := session_cache.peek(session, ASPECTS, (tenant, i)))}


def _read_aspects(session: Session, tenant: str, iki_ids: set[str]) -> dict[str, str]:
    if not iki_ids:
        return {}
    t = iki_aspects
    rows = session.execute(
        select(t.c.iki_id, t.c.aspect).where(t.c.tenant == tenant, in_values(session, t.c.iki_id, iki_ids))
    )
    return {row.iki_id: row.aspect for row in rows}
