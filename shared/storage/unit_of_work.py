"""Unit of work: one database transaction holding the state change and the events it publishes.

Rolls back unless `commit()` is called, so an exception anywhere leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from shared.context import current_trace
from shared.events import Envelope, EventCatalog
from shared.storage.event_store import EventStore
from shared.storage.inbox import Inbox
from shared.storage.outbox import Outbox
from shared.storage.tables import EventingTables

# Called with the events a unit of work has just published (validated, in its outbox), inside the
# same transaction: a service that must act on its own events does it here, not via the broker.
PublishHook = Callable[["UnitOfWork", Sequence[Envelope]], None]


class UnitOfWork:
    session: Session
    events: EventStore
    outbox: Outbox
    inbox: Inbox

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        tables: EventingTables,
        catalog: EventCatalog,
        producer: str,
        after_publish: PublishHook | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._tables = tables
        self._catalog = catalog
        self.producer = producer
        self._after_publish = after_publish

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.session.begin()
        self.events = EventStore(self.session, self._tables.event_store)
        self.outbox = Outbox(self.session, self._tables.outbox, self._catalog)
        self.inbox = Inbox(self.session, self._tables.processed_events)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self.session.in_transaction():
                self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def publish_many(self, events: Sequence[tuple[str, dict[str, Any], str, str, int]]) -> list[Envelope]:
        """`publish` for a batch — (event_type, payload, tenant, aggregate_id, aggregate_version) each —
        in one outbox statement: a fan-out of thousands (an import, a period close)."""
        return self._published(self.outbox.add_many([self._envelope(*event) for event in events]))

    def publish(
        self,
        event_type: str,
        payload: dict[str, Any],
        *,
        tenant: str,
        aggregate_id: str,
        aggregate_version: int,
    ) -> Envelope:
        """Write an integration event to the outbox, in the newest version of its type."""
        envelope = self.outbox.add(self._envelope(event_type, payload, tenant, aggregate_id, aggregate_version))
        return self._published([envelope])[0]

    def _published(self, envelopes: list[Envelope]) -> list[Envelope]:
        if self._after_publish is not None and envelopes:
            self._after_publish(self, envelopes)
        return envelopes

    def _envelope(
        self, event_type: str, payload: dict[str, Any], tenant: str, aggregate_id: str, aggregate_version: int
    ) -> Envelope:
        trace = current_trace()
        return Envelope.new(
            event_type=event_type,
            schema_version=self._catalog.latest(event_type).version,
            producer=self.producer,
            tenant=tenant,
            aggregate_id=aggregate_id,
            aggregate_version=aggregate_version,
            payload=payload,
            correlation_id=trace.correlation_id,
            causation_id=trace.causation_id,
        )
