"""The outbox relay's bookkeeping, with a fake producer (the broker round trip is in integration)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shared.messaging.relay import OutboxRelay
from tests.unit.shared.conftest import FakeProducer
from tests.unit.shared.test_consumer import returned_event


def queue(store, count: int) -> list[str]:
    ids = []
    with store.uow() as uow:
        for _ in range(count):
            ids.append(uow.outbox.add(returned_event()).event_id)
        uow.commit()
    return ids


def test_rows_are_sent_in_order_with_key_and_headers_then_deleted(store) -> None:
    ids = queue(store, 3)
    producer = FakeProducer()
    relay = OutboxRelay(store.engine, store.tables.outbox, producer, lock_name="t", batch_size=2)
    assert relay.backlog() == 3
    assert relay.publish_pending() == 2
    assert relay.backlog() == 1
    assert relay.publish_pending() == 1
    assert relay.publish_pending() == 0
    assert [m["headers"]["event_id"].decode() for m in producer.sent] == ids
    assert {m["key"] for m in producer.sent} == {b"198503302010011002"}
    assert {m["topic"] for m in producer.sent} == {"kinerja.planning.events"}
    with store.engine.connect() as conn:  # the outbox keeps only what the broker has not acknowledged
        assert conn.execute(select(store.tables.outbox.c.id)).all() == []


def test_a_failed_send_deletes_nothing_and_everything_is_sent_again(store) -> None:
    queue(store, 2)
    with pytest.raises(RuntimeError, match="broker unreachable"):
        OutboxRelay(store.engine, store.tables.outbox, FakeProducer(fail=True), lock_name="t").publish_pending()
    relay = OutboxRelay(store.engine, store.tables.outbox, FakeProducer(), lock_name="t")
    assert relay.backlog() == 2
    assert relay.publish_pending() == 2
