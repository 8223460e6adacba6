"""The projection of planning's events: approved plans and realisasi, written by the event handlers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.evaluation.adapters.tables import plans, realisasi
from shared.storage import session_cache
from shared.storage.in_values import in_values
from shared.storage.upsert import upsert


def upsert_plan(session: Session, row: dict[str, Any]) -> bool:
    """Write the plan unless a newer version of it is already here; True if written."""
    current = session.execute(select(plans.c.source_version).where(plans.c.skp_id == row["skp_id"])).scalar()
    if current is not None and current > row["source_version"]:
        return False
    upsert(session, plans, row, key=["skp_id"])
    session_cache.forget(session, "plan_for", (row["tenant"], row["nip"], row["period_year"]))
    return True


def upsert_realisasi(session: Session, row: dict[str, Any]) -> bool:
    """The latest report for a quarter wins; a redelivered or older one changes nothing."""
    key = (realisasi.c.skp_id == row["skp_id"]) & (realisasi.c.iki_id == row["iki_id"])
    current = session.execute(
        select(realisasi.c.source_version).where(key & (realisasi.c.quarter == row["quarter"]))
    ).scalar()
    if current is not None and current > row["source_version"]:
        return False
    upsert(session, realisasi, row, key=["skp_id", "iki_id", "quarter"])
    session_cache.forget(session, "realisasi_rows", row["skp_id"])
    session_cache.forget(session, "realisasi_values", row["skp_id"])
    return True


def find_plan(session: Session, skp_id: str) -> dict[str, Any] | None:
    found = session.execute(select(plans).where(plans.c.skp_id == skp_id)).mappings().first()
    return dict(found) if found else None


def plan_for(session: Session, tenant: str, nip: str, period_year: int) -> dict[str, Any] | None:
    """The employee's approved plan for the period (the most recently approved, should there be two)."""

    def load() -> dict[str, Any] | None:
        query = (
            select(plans)
            .where(plans.c.tenant == tenant, plans.c.nip == nip, plans.c.period_year == period_year)
            .order_by(plans.c.approved_at.desc())
        )
        found = session.execute(query).mappings().first()
        return dict(found) if found else None

    return session_cache.cached(session, "plan_for", (tenant, nip, period_year), load)


def realisasi_rows(session: Session, skp_id: str) -> list[dict[str, Any]]:
    def load() -> list[dict[str, Any]]:
        query = select(realisasi).where(realisasi.c.skp_id == skp_id)
        ordered = query.order_by(realisasi.c.iki_id, realisasi.c.quarter)
        return [dict(row) for row in session.execute(ordered).mappings()]

    return session_cache.cached(session, "realisasi_rows", skp_id, load)


def realisasi_values(session: Session, skp_id: str) -> dict[str, dict[int, float]]:
    """iki_id → {quarter: value} of a plan: all that scoring reads of its realisasi."""

    def load() -> dict[str, dict[int, float]]:
        return _values_by_skp(session, [skp_id]).get(skp_id, {})

    return session_cache.cached(session, "realisasi_values", skp_id, load)


def _values_by_skp(session: Session, skp_ids: list[str]) -> dict[str, dict[str, dict[int, float]]]:
    # Three columns as tuples, not whole rows as dicts: a close batch reads ~22 reports per
    # employee, and the full rows (notes, timestamps) cost a third more to fetch and shape.
    query = select(realisasi.c.skp_id, realisasi.c.iki_id, realisasi.c.quarter, realisasi.c.value).where(
        in_values(session, realisasi.c.skp_id, skp_ids)
    )
    found: dict[str, dict[str, dict[int, float]]] = {}
    for skp_id, iki_id, quarter, value in session.execute(query.order_by(realisasi.c.iki_id, realisasi.c.quarter)):
        found.setdefault(skp_id, {}).setdefault(iki_id, {})[quarter] = value
    return found


def prime(session: Session, tenant: str, nips: set[str], period_year: int) -> None:
    """Read the plans and realisasi of many employees in two queries (a period close's batch)."""
    query = select(plans).where(
        plans.c.tenant == tenant, in_values(session, plans.c.nip, nips), plans.c.period_year == period_year
    )
    found: dict[Any, Any] = {(tenant, nip, period_year): None for nip in nips}
    for row in session.execute(query.order_by(plans.c.approved_at)).mappings():
        found[(tenant, row["nip"], period_year)] = dict(row)  # the most recently approved comes last
    session_cache.prime(session, "plan_for", found)
    skp_ids = [plan["skp_id"] for plan in found.values() if plan]
    if skp_ids:
        values = _values_by_skp(session, skp_ids)
        session_cache.prime(session, "realisasi_values", {skp_id: values.get(skp_id, {}) for skp_id in skp_ids})
