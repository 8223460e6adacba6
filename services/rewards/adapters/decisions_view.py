"""The decisions read model (rewards and coachings), written in the decision's own transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.rewards.adapters.tables import decisions
from services.rewards.domain.decisions import Decision
from shared.storage.read_models import find_row, search_rows
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
    return find_row(session, decisions, decision_id=decision_id)


def search(session: Session, tenant: str, *, limit: int = 100, offset: int = 0, **filters: Any) -> list[dict[str, Any]]:
    """Filters: nip, period_year, kind."""
    order = [decisions.c.period_year.desc(), decisions.c.nip, decisions.c.decision_id]
    return search_rows(session, decisions, tenant=tenant, filters=filters, order_by=order, limit=limit, offset=offset)
