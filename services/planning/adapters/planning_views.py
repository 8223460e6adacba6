"""Small read models of planning: unit targets and the quarters' open/closed status."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.planning.adapters.tables import quarter_status, unit_target_view
from services.planning.domain.reporting_period import ReportingPeriod
from services.planning.domain.unit_targets import UnitTargets
from shared.storage.upsert import upsert


def save_unit_targets(session: Session, targets: UnitTargets) -> None:
    for target in targets.targets.values():
        row = {**target, "tenant": targets.tenant, "updated_at": datetime.now(UTC)}
        upsert(session, unit_target_view, row, key=["target_id"])


def unit_targets(session: Session, tenant: str, unit_id: str | None, period_year: int | None) -> list[dict[str, Any]]:
    query = select(unit_target_view).where(unit_target_view.c.tenant == tenant)
    if unit_id:
        query = query.where(unit_target_view.c.unit_id == unit_id)
    if period_year:
        query = query.where(unit_target_view.c.period_year == period_year)
    query = query.order_by(unit_target_view.c.unit_id, unit_target_view.c.period_year, unit_target_view.c.code)
    return [dict(row) for row in session.execute(query).mappings()]


def save_quarter(session: Session, period: ReportingPeriod, quarter: int, by: str, reason: str | None) -> None:
    row = {
        "tenant": period.tenant,
        "period_year": period.period_year,
        "quarter": quarter,
        "closed": not period.is_open(quarter),
        "changed_by": by,
        "reason": reason,
        "changed_at": datetime.now(UTC),
    }
    upsert(session, quarter_status, row, key=["tenant", "period_year", "quarter"])


def quarters(session: Session, tenant: str, period_year: int) -> list[dict[str, Any]]:
    """All four quarters, open unless a row says closed."""
    query = select(quarter_status).where(quarter_status.c.tenant == tenant, quarter_status.c.period_year == period_year)
    known = {row["quarter"]: dict(row) for row in session.execute(query).mappings()}
    return [
        known.get(q, {"tenant": tenant, "period_year": period_year, "quarter": q, "closed": False})
        for q in (1, 2, 3, 4)
    ]
