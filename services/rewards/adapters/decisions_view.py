"""The decisions read model (rewards and coachings), written in the decision's own transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from services.rewards.adapters.tables import decisions
from services.rewards.domain.decisions import Decision
from shared.storage.upsert import upsert


def add(session: Session, decision: Decision) -> None:
    facts = decision.facts
    row = {
        "decision_id": decision.id,
        "tenant": decision.tenant,
        "nip": facts["nip"],
        "employee_name": facts["employee_name"],
        "period_year": facts["period_year"],
        "kind": decision.kind,
        "predikat": facts["predikat"],
        "incentive_percentage": facts["incentive_percentage"],
        "details": decision.details(),
        "policy_version": facts["policy_version"],
        "evaluation_id": facts["evaluation_id"],
        "created_at": datetime.now(UTC),
    }
    upsert(session, decisions, row, key=["decision_id"])


def find(session: Session, decision_id: str) -> dict[str, Any] | None:
    found = session.execute(select(decisions).where(decisions.c.decision_id == decision_id)).mappings().first()
    return dict(found) if found else None


def search(
    session: Session,
    tenant: str,
    *,
    nip: str | None = None,
    period_year: int | None = None,
    kind: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    t = decisions
    query: Select[Any] = select(t).where(t.c.tenant == tenant)
    if nip:
        query = query.where(t.c.nip == nip)
    if period_year:
        query = query.where(t.c.period_year == period_year)
    if kind:
        query = query.where(t.c.kind == kind)
    query = query.order_by(t.c.period_year.desc(), t.c.nip, t.c.decision_id).limit(limit).offset(offset)
    return [dict(row) for row in session.execute(query).mappings()]
