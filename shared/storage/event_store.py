"""Append-only event store with optimistic concurrency on (aggregate_id, version)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.aggregate import Aggregate, DomainEvent
from shared.context import current_trace
from shared.errors import ConcurrencyConflict
from shared.storage.bulk_insert import insert_many
from shared.storage.in_values import in_values

A = TypeVar("A", bound=Aggregate)


class EventStore:
    def __init__(self, session: Session, table: Table) -> None:
        self._session = session
        self._table = table
        # While deferred (a consumer's optimistic batch): appended rows are kept here and inserted by
        # `flush`, in one statement. `load` sees them, so a later event of the batch reads its
        # aggregate as written; a version taken meanwhile by another writer surfaces at `flush`.
        self._deferred: list[dict[str, Any]] | None = None
        # Aggregates read up front for a batch (`prefetch`); dropped for an aggregate once it is appended to.
        self._prefetched: dict[str, list[DomainEvent]] = {}

    def prefetch(self, aggregate_ids: Iterable[str]) -> None:
        """Read the events of many aggregates in one query, for `load` to serve (a consumer batch)."""
        ids = list(set(aggregate_ids))
        if not ids:
            return
        t = self._table
        loaded: dict[str, list[DomainEvent]] = {aggregate_id: [] for aggregate_id in ids}
        query = select(t.c.aggregate_id, t.c.event_type, t.c.data, t.c.occurred_at).where(
            in_values(self._session, t.c.aggregate_id, ids)
        )
        for row in self._session.execute(query.order_by(t.c.aggregate_id, t.c.version)):
            loaded[row.aggregate_id].append(DomainEvent(row.event_type, row.data, row.occurred_at))
        self._prefetched.update(loaded)

    def defer(self) -> None:
        self._deferred = []

    def flush(self) -> None:
        """Insert the deferred rows and stop deferring; ConcurrencyConflict if a version is taken."""
        rows, self._deferred = self._deferred or [], None
        if not rows:
            return
        try:
            # No savepoint: a conflict here abandons the whole batch (the consumer redoes it event
            # by event), so the transaction need not stay usable.
            insert_many(self._session, self._table, rows)
        except IntegrityError as exc:
            raise ConcurrencyConflict(rows[0]["aggregate_id"], rows[0]["version"] - 1) from exc

    def _insert(self, rows: list[dict[str, Any]]) -> bool:
        """Queue the rows while deferred (True), or leave the insert to the caller (False)."""
        for row in rows:
            self._prefetched.pop(row["aggregate_id"], None)
        if self._deferred is None:
            return False
        self._deferred.extend(rows)
        return True

    def append(
        self,
        aggregate_type: str,
        aggregate_id: str,
        expected_version: int,
        events: Iterable[DomainEvent],
        *,
        tenant: str,
        actor: str | None = None,
    ) -> int:
        """Append events after `expected_version`; raise ConcurrencyConflict if it is taken."""
        trace = current_trace()
        rows = [
            {
                "aggregate_id": aggregate_id,
                "version": expected_version + offset,
                "aggregate_type": aggregate_type,
                "event_type": event.event_type,
                "data": event.data,
                "occurred_at": event.occurred_at,
                "tenant": tenant,
                "correlation_id": trace.correlation_id,
                "causation_id": trace.causation_id,
                "actor": actor,
            }
            for offset, event in enumerate(events, start=1)
        ]
        if not rows:
            return expected_version
        if self._insert(rows):
            return expected_version + len(rows)
        # A savepoint keeps the surrounding transaction usable for reporting the conflict.
        try:
            with self._session.begin_nested():
                insert_many(self._session, self._table, rows)
        except IntegrityError as exc:
            raise ConcurrencyConflict(aggregate_id, expected_version) from exc
        return expected_version + len(rows)

    def save_many(self, aggregates: Iterable[Aggregate], *, tenant: str, actor: str | None = None) -> int:
        """Append the pending events of many aggregates in one statement (a bulk import).

        Same optimistic concurrency as `save`: if any (aggregate_id, version) is taken, nothing is
        appended and ConcurrencyConflict names the first aggregate of the batch that was affected."""
        trace = current_trace()
        batch = [a for a in aggregates if a.pending]
        rows = [
            {
                "aggregate_id": aggregate.id,
                "version": aggregate.persisted_version + offset,
                "aggregate_type": aggregate.aggregate_type,
                "event_type": event.event_type,
                "data": event.data,
                "occurred_at": event.occurred_at,
                "tenant": tenant,
                "correlation_id": trace.correlation_id,
                "causation_id": trace.causation_id,
                "actor": actor,
            }
            for aggregate in batch
            for offset, event in enumerate(aggregate.pending, start=1)
        ]
        if not rows:
            return 0
        if self._insert(rows):
            for aggregate in batch:
                aggregate.pending = []
            return len(rows)
        try:
            with self._session.begin_nested():
                insert_many(self._session, self._table, rows)
        except IntegrityError as exc:
            raise ConcurrencyConflict(batch[0].id, batch[0].persisted_version) from exc
        for aggregate in batch:
            aggregate.pending = []
        return len(rows)

    def load(self, aggregate_id: str) -> list[DomainEvent]:
        if aggregate_id in self._prefetched:
            return list(self._prefetched[aggregate_id])
        t = self._table
        result = self._session.execute(
            select(t.c.event_type, t.c.data, t.c.occurred_at)
            .where(t.c.aggregate_id == aggregate_id)
            .order_by(t.c.version)
        )
        events = [DomainEvent(row.event_type, row.data, row.occurred_at) for row in result]
        if self._deferred:
            queued = [r for r in self._deferred if r["aggregate_id"] == aggregate_id]
            queued.sort(key=lambda r: r["version"])
            events += [DomainEvent(r["event_type"], r["data"], r["occurred_at"]) for r in queued]
        return events

    def get(self, cls: type[A], aggregate_id: str) -> A | None:
        events = self.load(aggregate_id)
        return cls.rehydrate(aggregate_id, events) if events else None

    def save(self, aggregate: Aggregate, *, tenant: str, actor: str | None = None) -> None:
        self.append(
            aggregate.aggregate_type,
            aggregate.id,
            aggregate.persisted_version,
            aggregate.pending,
            tenant=tenant,
            actor=actor,
        )
        aggregate.pending = []
