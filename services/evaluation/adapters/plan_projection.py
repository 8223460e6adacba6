"""The projection of planning's events: approved plans and realisasi, written by the event handlers."""

from __future__ import annotations

from collections import defaultdict
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
    rows: dict[Any, list[dict[str, Any]]] = {skp_id: [] for skp_id in skp_ids}
    if skp_ids:
        query = select(realisasi).where(in_values(session, realisasi.c.skp_id, skp_ids))
        for row in session.execute(query.order_by(realisasi.c.iki_id, realisasi.c.quarter)).mappings():
            rows[row["skp_id"]].append(dict(row))
    session_cache.prime(session, "realisasi_rows", rows)


def realisasi_by_iki(rows: list[dict[str, Any]]) -> dict[str, dict[int, float]]:
    """iki_id → {quarter: value}, the shape scoring expects."""
    by_iki: dict[str, dict[int, float]] = defaultdict(dict)
    for row in rows:
        by_iki[row["iki_id"]][row["quarter"]] = row["value"]
    return dict(by_iki)
