"""Transactional outbox: integration events are rows written in the state change's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Table, func, select, text
from sqlalchemy.orm import Session

from shared.events import Envelope, EventCatalog
from shared.storage.bulk_insert import insert_many
from shared.storage.database import is_postgres

# PostgreSQL channel the relay listens on; NOTIFY is delivered only when the transaction commits.
CHANNEL = "kinerja_outbox"
_NOTIFY = text(f"NOTIFY {CHANNEL}")
_NOTIFIED_KEY = "kinerja.outbox.notified"


class Outbox:
    def __init__(self, session: Session, table: Table, catalog: EventCatalog) -> None:
        self._session = session
        self._table = table
        self._catalog = catalog
        # While deferred (a consumer's batch): rows are validated at once but inserted by `flush`,
        # one statement for the whole batch instead of one per event.
        self._deferred: list[dict[str, Any]] | None = None

    def defer(self) -> None:
        self._deferred = []

    def mark(self) -> int:
        """How many deferred rows are queued (to `discard_after` when one event of a batch fails)."""
        return len(self._deferred or [])

    def discard_after(self, mark: int) -> None:
        if self._deferred is not None:
            del self._deferred[mark:]

    def flush(self) -> None:
        """Insert the deferred rows (in the order they were added: ids ascend) and stop deferring."""
        rows, self._deferred = self._deferred or [], None
        if rows:
            self._insert(rows)

    def add(self, envelope: Envelope) -> Envelope:
        """Validate the event against the contract and queue it; it is sent only if we commit."""
        return self.add_many([envelope])[0]

    def add_many(self, envelopes: Sequence[Envelope]) -> list[Envelope]:
        """`add` for a batch, in one statement; the rows keep the order given (ids ascend)."""
        prepared = [self._catalog.prepare(envelope) for envelope in envelopes]
        if not prepared:
            return []
        now = datetime.now(UTC)
        rows = [
            {
                "event_id": p.event_id,
                "topic": self._catalog.topic_of(p.event_type),
                "message_key": self._catalog.key_of(p),
                "event_type": p.event_type,
                "value": p.to_json().decode(),
                "created_at": now,
            }
            for p in prepared
        ]
        if self._deferred is not None:
            self._deferred.extend(rows)
        else:
            self._insert(rows)
        return prepared

    def _insert(self, rows: list[dict[str, Any]]) -> None:
        """Insert the rows and, on PostgreSQL, wake the relays when this transaction commits — once
        per transaction: they wait on the channel instead of polling the table."""
        session = self._session
        insert_many(session, self._table, rows)
        transaction = session.get_transaction()
        if is_postgres(session.get_bind()) and session.info.get(_NOTIFIED_KEY) is not transaction:
            session.execute(_NOTIFY)
            session.info[_NOTIFIED_KEY] = transaction


def backlog_of(engine: Engine, table: Table) -> tuple[int, datetime | None]:
    """(rows still to send, creation time of the oldest of them): the relay deletes what it sent,
    so every row in the outbox is waiting. For operators and metrics."""
    with engine.connect() as conn:
        count, oldest = conn.execute(select(func.count(), func.min(table.c.created_at)).select_from(table)).one()
    if oldest is not None and oldest.tzinfo is None:  # SQLite returns naive datetimes (stored as UTC)
        oldest = oldest.replace(tzinfo=UTC)
    return int(count), oldest
