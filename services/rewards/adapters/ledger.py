"""The period ledger: which decision is in force for an employee's annual period, and from what."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.rewards.adapters.tables import period_ledger
from shared.storage.read_models import find_row
from shared.storage.upsert import upsert


def find(session: Session, tenant: str, nip: str, period_year: int) -> dict[str, Any] | None:
    return find_row(session, period_ledger, tenant=tenant, nip=nip, period_year=period_year)


def put(session: Session, row: dict[str, Any]) -> None:
    upsert(session, period_ledger, row, key=["tenant", "nip", "period_year"])


def of_period(session: Session, tenant: str, period_year: int) -> list[dict[str, Any]]:
    t = period_ledger
    query = select(t).where(t.c.tenant == tenant, t.c.period_year == period_year).order_by(t.c.nip)
    return [dict(r) for r in session.execute(query).mappings()]


def of_employee(session: Session, tenant: str, nip: str) -> list[dict[str, Any]]:
    t = period_ledger
    query = select(t).where(t.c.tenant == tenant, t.c.nip == nip).order_by(t.c.period_year)
    return [dict(r) for r in session.execute(query).mappings()]
