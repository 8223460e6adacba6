"""The evaluations read model, written in the same transaction as the Evaluation's event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.evaluation.adapters.tables import evaluations
from services.evaluation.domain.evaluation import Evaluation
from shared.storage import deferred_writes
from shared.storage.read_models import find_row, search_rows


def upsert(session: Session, evaluation: Evaluation) -> None:
    state = evaluation.state
    appeal = state.get("appeal") or {}
    row = {
        "evaluation_id": evaluation.id,
        "tenant": evaluation.tenant,
        **{name: state[name] for name in (c.name for c in evaluations.columns) if name in state},
        "version": evaluation.version,
        "completed_at": datetime.now(UTC),
        "result_at": datetime.fromisoformat(state["result_at"]),
        "appeal_status": appeal.get("status"),
        "appeal_decider_nip": appeal.get("decider_nip"),
    }
    # Nothing in a consumer batch reads this view back before the batch ends but through the
    # functions below, which send the queued rows first (sync).
    deferred_writes.upsert_later(session, evaluations, row, key=["evaluation_id"])


def ids_for_skp(session: Session, skp_id: str) -> list[str]:
    deferred_writes.sync(session)
    query = select(evaluations.c.evaluation_id).where(evaluations.c.skp_id == skp_id)
    return list(session.execute(query).scalars())


def final_predikat_of(session: Session, tenant: str, period_year: int, period: str, unit_ids: set[str]) -> list[dict]:
    deferred_writes.sync(session)
    query = select(evaluations.c.nip, evaluations.c.predikat).where(
        evaluations.c.tenant == tenant,
        evaluations.c.period_year == period_year,
        evaluations.c.period == period,
        evaluations.c.unit_id.in_(unit_ids),
    )
    return [dict(row) for row in session.execute(query).mappings()]


def for_period(session: Session, tenant: str, period_year: int, period: str) -> list[dict[str, Any]]:
    deferred_writes.sync(session)
    query = select(evaluations).where(
        evaluations.c.tenant == tenant, evaluations.c.period_year == period_year, evaluations.c.period == period
    )
    return [dict(row) for row in session.execute(query).mappings()]


def find(session: Session, evaluation_id: str) -> dict[str, Any] | None:
    deferred_writes.sync(session)
    return find_row(session, evaluations, evaluation_id=evaluation_id)


def search(session: Session, tenant: str, *, limit: int = 100, offset: int = 0, **filters: Any) -> list[dict[str, Any]]:
    """Filters: nip, atasan_nip, period_year, period."""
    deferred_writes.sync(session)
    order = [evaluations.c.period_year.desc(), evaluations.c.nip, evaluations.c.period]
    return search_rows(session, evaluations, tenant=tenant, filters=filters, order_by=order, limit=limit, offset=offset)
