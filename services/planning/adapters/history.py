"""An aggregate's history, straight from the event store: who did what, when, in which version."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.planning.adapters.tables import eventing


def history(session: Session, aggregate_id: str) -> list[dict[str, Any]]:
    t = eventing.event_store
    query = (
        select(t.c.version, t.c.event_type, t.c.occurred_at, t.c.actor, t.c.data)
        .where(t.c.aggregate_id == aggregate_id)
        .order_by(t.c.version)
    )
    return [dict(row) for row in session.execute(query).mappings()]
