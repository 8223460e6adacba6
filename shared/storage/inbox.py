"""Processed-event records: how a consumer recognises a redelivered event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from shared.events import Envelope
from shared.storage.bulk_insert import insert_many
from shared.storage.in_values import in_values


class Inbox:
    def __init__(self, session: Session, table: Table) -> None:
        self._session = session
        self._table = table

    def seen(self, consumer: str, event_id: str) -> bool:
        t = self._table
        found = self._session.execute(
            select(t.c.event_id).where(t.c.consumer == consumer, t.c.event_id == event_id)
        ).first()
        return found is not None

    def seen_many(self, consumer: str, event_ids: list[str]) -> set[str]:
        """The ids among `event_ids` already processed by `consumer` (one query for a batch)."""
        if not event_ids:
            return set()
        t = self._table
        rows = self._session.execute(
            select(t.c.event_id).where(t.c.consumer == consumer, in_values(self._session, t.c.event_id, event_ids))
        ).scalars()
        return set(rows)

    def record_many(self, consumer: str, processed: list[tuple[Envelope, Any]]) -> None:
        """`record` for a batch — (envelope, record with topic/partition/offset) each — in one statement."""
        if not processed:
            return
        now = datetime.now(UTC)
        insert_many(
            self._session,
            self._table,
            [
                {
                    "consumer": consumer,
                    "event_id": envelope.event_id,
                    "event_type": envelope.event_type,
                    "topic": record.topic,
                    "partition": record.partition,
                    "offset": record.offset,
                    "processed_at": now,
                }
                for envelope, record in processed
            ],
        )

    def record(self, consumer: str, envelope: Envelope, topic: str, partition: int, offset: int) -> None:
        """Mark the event processed; a concurrent duplicate fails on the primary key at commit."""
        self._session.execute(
            insert(self._table).values(
                consumer=consumer,
                event_id=envelope.event_id,
                event_type=envelope.event_type,
                topic=topic,
                partition=partition,
                offset=offset,
                processed_at=datetime.now(UTC),
            )
        )
