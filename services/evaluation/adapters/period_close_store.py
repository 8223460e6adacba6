"""Period closes and their per-employee items. Progress is counted from the items, so several
worker copies record their part without contending on one counter row."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from services.evaluation.adapters.tables import close_items, period_closes, plans
from shared.storage import deferred_writes
from shared.storage.bulk_insert import insert_many
from shared.storage.read_models import find_row

STATUSES = ("pending", "completed", "revised", "unchanged", "incomplete")


def plans_in_scope(
    session: Session, tenant: str, period_year: int, *, unit_ids: set[str] | None, atasan_nip: str | None
) -> list[str]:
    """NIPs with an approved plan for the year in the scope (unit subtree, an atasan's subordinates, or all)."""
    query = select(plans.c.nip).where(plans.c.tenant == tenant, plans.c.period_year == period_year)
    if unit_ids is not None:
        query = query.where(plans.c.unit_id.in_(unit_ids))
    if atasan_nip is not None:
        query = query.where(plans.c.atasan_nip == atasan_nip)
    return sorted(set(session.execute(query).scalars()))


def create(session: Session, close: dict[str, Any], nips: list[str]) -> None:
    session.execute(insert(period_closes).values(**close, total=len(nips)))
    now = datetime.now(UTC)
    if nips:
        insert_many(  # a city's close: ~10,000 items in one COPY
            session,
            close_items,
            [
                {
                    "close_id": close["close_id"],
                    "nip": n,
                    "tenant": close["tenant"],
                    "status": "pending",
                    "updated_at": now,
                }
                for n in nips
            ],
        )


def record_item(session: Session, close_id: str, nip: str, status: str, reasons: list[dict] | None = None) -> None:
    # The worker records an outcome for every employee of a close; in a consumer batch the batch's
    # outcomes go in one statement at its end (nothing in the batch reads them).
    row = {"close_id": close_id, "nip": nip, "status": status, "reasons": reasons, "updated_at": datetime.now(UTC)}
    deferred_writes.update_later(session, close_items, row, key=("close_id", "nip"))


def find(session: Session, close_id: str) -> dict[str, Any] | None:
    return find_row(session, period_closes, close_id=close_id)


def progress(session: Session, close_id: str, *, incomplete_limit: int = 500) -> dict[str, Any]:
    counts = dict.fromkeys(STATUSES, 0)
    query = select(close_items.c.status, func.count()).where(close_items.c.close_id == close_id)
    for status, count in session.execute(query.group_by(close_items.c.status)):
        counts[status] = count
    incomplete = session.execute(
        select(close_items.c.nip, close_items.c.reasons)
        .where(close_items.c.close_id == close_id, close_items.c.status == "incomplete")
        .order_by(close_items.c.nip)
        .limit(incomplete_limit)
    )
    return {"counts": counts, "incomplete": [{"nip": r.nip, "reasons": r.reasons or []} for r in incomplete]}
