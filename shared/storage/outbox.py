"""Transactional outbox: integration events are rows written in the state change's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from shared.events import Envelope, EventCatalog


class Outbox:
    def __init__(self, session: Session, table: Table, catalog: EventCatalog) -> None:
        self._session = session
        self._table = table
        self._catalog = catalog

    def add(self, envelope: Envelope) -> Envelope:
        """Validate the event against the contract and queue it; it is sent only if we commit."""
        return self.add_many([envelope])[0]

    def add_many(self, envelopes: Sequence[Envelope]) -> list[Envelope]:
        """`add` for a batch, in one statement; the rows keep the order given (ids ascend)."""
        prepared = [self._catalog.prepare(envelope) for envelope in envelopes]
        if not prepared:
            return []
        now = datetime.now(UTC)
        self._session.execute(
            insert(self._table),
            [
                {
                    "event_id": p.event_id,
                    "topic": self._catalog.topic_of(p.event_type),
                    "message_key": self._catalog.key_of(p),
                    "event_type": p.event_type,
                    "value": p.to_json().decode(),
                    "created_at": now,
                }
                for p in prepared
            ],
        )
        return prepared
