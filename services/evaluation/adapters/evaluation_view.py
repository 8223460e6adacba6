"""The evaluations read model, written in the same transaction as the Evaluation's event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from services.evaluation.adapters.tables import evaluations
from services.evaluation.domain.evaluation import Evaluation
from shared.storage.upsert import upsert as upsert_row


def upsert(session: Session, evaluation: Evaluation) -> None:
    state = evaluation.state
    row = {
        "evaluation_id": evaluation.id,
        "tenant": evaluation.tenant,
        **{name: state[name] for name in (c.name for c in evaluations.columns) if name in state},
        "version": evaluation.version,
        "completed_at": datetime.now(UTC),
    }
    upsert_row(session, evaluations, row, key=["evaluation_id"])


def find(session: Session, evaluation_id: str) -> dict[str, Any] | None:
    found = session.execute(select(evaluations).where(evaluations.c.evaluation_id == evaluation_id)).mappings().first()
    return dict(found) if found else None


def search(
    session: Session,
    tenant: str,
    *,
    nip: str | None = None,
    atasan_nip: str | None = None,
    period_year: int | None = None,
    period: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    query: Select[Any] = select(evaluations).where(evaluations.c.tenant == tenant)
    if nip:
        query = query.where(evaluations.c.nip == nip)
    if atasan_nip:
        query = query.where(evaluations.c.atasan_nip == atasan_nip)
    if period_year:
        query = query.where(evaluations.c.period_year == period_year)
    if period:
        query = query.where(evaluations.c.period == period)
    query = (
        query.order_by(evaluations.c.period_year.desc(), evaluations.c.nip, evaluations.c.period)
        .limit(limit)
        .offset(offset)
    )
    return [dict(row) for row in session.execute(query).mappings()]
