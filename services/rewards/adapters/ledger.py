"""The period ledger: which decision is in force for an employee's annual period, and from what."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.rewards.adapters.tables import period_ledger
from shared.storage import deferred_writes, session_cache
from shared.storage.in_values import in_values
from shared.storage.read_models import find_row


def find(session: Session, tenant: str, nip: str, period_year: int) -> dict[str, Any] | None:
    return session_cache.cached(
        session,
        "ledger",
        (tenant, nip, period_year),
        lambda: find_row(session, period_ledger, tenant=tenant, nip=nip, period_year=period_year),
    )


def prime(session: Session, tenant: str, nips: set[str], years: set[int]) -> None:
    """Read the entries of many employees and years in one query (a consumer batch)."""
    t = period_ledger
    query = select(t).where(t.c.tenant == tenant, in_values(session, t.c.nip, nips), t.c.period_year.in_(years))
    entries: dict[tuple[str, str, int], Any] = {(tenant, nip, year): None for nip in nips for year in years}
    entries.update({(tenant, r["nip"], r["period_year"]): dict(r) for r in session.execute(query).mappings()})
    session_cache.prime(session, "ledger", entries)


def put(session: Session, row: dict[str, Any]) -> None:
    """Written at the end of a consumer batch; `find` serves the row from the session cache until then
    (the row has every column of the table)."""
    deferred_writes.upsert_later(session, period_ledger, row, key=["tenant", "nip", "period_year"])
    session_cache.prime(session, "ledger", {(row["tenant"], row["nip"], row["period_year"]): dict(row)})


def of_period(session: Session, tenant: str, period_year: int) -> list[dict[str, Any]]:
    deferred_writes.sync(session)
    t = period_ledger
    query = select(t).where(t.c.tenant == tenant, t.c.period_year == period_year).order_by(t.c.nip)
    return [dict(r) for r in session.execute(query).mappings()]


def of_employee(session: Session, tenant: str, nip: str) -> list[dict[str, Any]]:
    deferred_writes.sync(session)
    t = period_ledger
    query = select(t).where(t.c.tenant == tenant, t.c.nip == nip).order_by(t.c.period_year)
    return [dict(r) for r in session.execute(query).mappings()]
