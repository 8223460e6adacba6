"""Rebuilding a read model (projection) from the event store — after a bug fix in a projection, a
new column, or a restore. A service declares its rebuildable projections in its bootstrap
(`projections(runtime) -> list[Projection]`); the operator CLI runs them:

    python -m deploy.ops --service planning rebuild [--projection skp_view]

A rebuild empties the projection's tables and replays every aggregate of its type through the
same code that maintains the projection on the write path, in one transaction: readers see the
old rows or the new ones, never a half-built table (PostgreSQL; SQLite locks the database).
Projections a service keeps from *other* services' events (consumer-side) are rebuilt by
replaying the topic instead: reset the consumer group's offsets and clear its inbox rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from shared.aggregate import Aggregate, DomainEvent
from shared.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Projection:
    """A read model derived from one aggregate type: `apply(session, aggregate)` writes its rows."""

    name: str
    aggregate: type[Aggregate]
    tables: Sequence[Table]
    apply: Callable[[Session, Any], None]
    description: str = ""


@dataclass(frozen=True)
class RebuildResult:
    projection: str
    aggregates: int
    events: int


def _aggregate_ids(session: Session, events: Table, aggregate_type: str, batch: int) -> Iterator[str]:
    last = ""
    while True:
        ids = (
            session.execute(
                select(events.c.aggregate_id)
                .where(events.c.aggregate_type == aggregate_type, events.c.aggregate_id > last)
                .group_by(events.c.aggregate_id)
                .order_by(events.c.aggregate_id)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not ids:
            return
        yield from ids
        last = ids[-1]


def rebuild(uow: UnitOfWork, event_store: Table, projection: Projection, *, batch: int = 500) -> RebuildResult:
    """Empty the projection's tables and replay every aggregate of its type; commit once at the end."""
    events_table = event_store
    aggregates = events = 0
    with uow:
        session = uow.session
        for table in reversed(projection.tables):  # children first, should they reference a parent
            session.execute(delete(table))
        for aggregate_id in _aggregate_ids(session, events_table, projection.aggregate.aggregate_type, batch):
            rows = session.execute(
                select(events_table.c.event_type, events_table.c.data, events_table.c.occurred_at)
                .where(events_table.c.aggregate_id == aggregate_id)
                .order_by(events_table.c.version)
            ).all()
            history = [DomainEvent(row.event_type, row.data, row.occurred_at) for row in rows]
            projection.apply(session, projection.aggregate.rehydrate(aggregate_id, history))
            aggregates += 1
            events += len(history)
        uow.commit()
    log.info("rebuilt %s from %d aggregates (%d events)", projection.name, aggregates, events)
    return RebuildResult(projection.name, aggregates, events)
