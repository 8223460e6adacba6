"""The evaluations read model, written in the same transaction as the Evaluation's event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.evaluation.adapters.tables import evaluations
from services.evaluation.domain.evaluation import Evaluation
from shared.storage.read_models import find_row, search_rows
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
    return find_row(session, evaluations, evaluation_id=evaluation_id)


def search(session: Session, tenant: str, *, limit: int = 100, offset: int = 0, **filters: Any) -> list[dict[str, Any]]:
    """Filters: nip, atasan_nip, period_year, period."""
    order = [evaluations.c.period_year.desc(), evaluations.c.nip, evaluations.c.period]
    return search_rows(session, evaluations, tenant=tenant, filters=filters, order_by=order, limit=limit, offset=offset)
