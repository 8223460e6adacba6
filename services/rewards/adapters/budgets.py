"""Incentive budgets per unit and period, set by the instansi admin."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.rewards.adapters.tables import unit_budgets
from shared.storage import session_cache
from shared.storage.upsert import upsert


def set_budget(session: Session, tenant: str, unit_id: str, period_year: int, amount: float, by: str) -> None:
    row = {
        "tenant": tenant,
        "unit_id": unit_id,
        "period_year": period_year,
        "amount": amount,
        "updated_at": datetime.now(UTC),
        "updated_by": by,
    }
    upsert(session, unit_budgets, row, key=["tenant", "unit_id", "period_year"])
    session_cache.forget(session, "unit_budgets", (tenant, period_year))


def of_period(session: Session, tenant: str, period_year: int) -> dict[str, dict[str, Any]]:
    t = unit_budgets

    def load() -> dict[str, dict[str, Any]]:
        rows = session.execute(select(t).where(t.c.tenant == tenant, t.c.period_year == period_year)).mappings()
        return {row["unit_id"]: dict(row) for row in rows}

    # once per transaction: every decision of a batch asks for its unit's budget
    return session_cache.cached(session, "unit_budgets", (tenant, period_year), load)
