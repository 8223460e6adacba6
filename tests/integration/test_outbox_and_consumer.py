"""The eventing core against real PostgreSQL and a real Kafka broker (KRaft).

- the outbox relay publishes exactly what was committed, nothing rolled back, and does not skip
  rows that commit out of order; a crash between publish and delete gives a duplicate, not a loss;
- the idempotent consumer processes a redelivered event once, parks a poison message in the DLQ
  with its reason and keeps going, and commits its offsets only after its own transaction.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from kafka import KafkaProducer
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, event, func, insert, select

from shared.aggregate import DomainEvent
from shared.contracts.planning import PlanReturnedV1
from shared.errors import ConcurrencyConflict
from shared.events import Envelope, EventCatalog, EventDefinition
from shared.messaging.consumer import IdempotentConsumer
from shared.messaging.kafka import create_consumer, create_producer
from shared.messaging.relay import OutboxRelay
from shared.storage.database import create_db_engine, create_session_factory
from shared.storage.tables import EventingTables, add_eventing_tables
from shared.storage.unit_of_work import UnitOfWork
from tests.integration.kafka_tools import fresh_topic, read_all

pytestmark = pytest.mark.integration


@dataclass
class Service:
    """A minimal service: its own PostgreSQL database, eventing tables and one 'effects' table."""

    engine: Engine
    tables: EventingTables
    effects: Table
    catalog: EventCatalog
    topic: str

    def uow(self) -> UnitOfWork:
        return UnitOfWork(create_session_factory(self.engine), self.tables, self.catalog, producer="itest")

    def count(self, table: Table, *where: object) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


@pytest.fixture
def service(postgres, kafka_bootstrap) -> Iterator[Service]:
    metadata = MetaData()
    tables = add_eventing_tables(metadata)
    effects = Table(
        "effects",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False),
    )
    engine = create_db_engine(postgres.new_database("eventing"))
    metadata.create_all(engine)
    topic = fresh_topic(kafka_bootstrap, "eventing")
    catalog = EventCatalog([EventDefinition("plan.returned", 1, PlanReturnedV1, topic, "nip", "test copy")])
    yield Service(engine, tables, effects, catalog, topic)
    engine.dispose()


@pytest.fixture
def producer(kafka_bootstrap) -> Iterator[KafkaProducer]:
    p = create_producer(kafka_bootstrap, client_id="itest")
    yield p
    p.close(timeout=10)


def publish(uow: UnitOfWork, nip: str, reason: str) -> Envelope:
    return uow.publish(
        "plan.returned",
        {
            "skp_id": f"skp-{nip}-2026",
            "nip": nip,
            "employee_name": "Siti",
            "period_year": 2026,
            "returned_by": "197001012000031001",
            "reason": reason,
        },
        tenant="1671",
        aggregate_id=f"skp-{nip}-2026",
        aggregate_version=1,
    )


NIP_A, NIP_B = "198503302010011002", "199002022015032004"


def test_relay_publishes_exactly_what_was_committed(service, producer, kafka_bootstrap) -> None:
    with service.uow() as uow:
        committed = publish(uow, NIP_A, "committed")
        uow.commit()
    with service.uow() as uow:
        publish(uow, NIP_B, "rolled back")  # no commit
    relay = OutboxRelay(service.engine, service.tables.outbox, producer, lock_name="t")
    assert relay.publish_pending() == 1
    assert relay.publish_pending() == 0
    assert relay.backlog() == 0
    records = read_all(kafka_bootstrap, service.topic, expected=1)
    assert [Envelope.from_json(r.value).event_id for r in records] == [committed.event_id]
    assert records[0].key == NIP_A.encode()
    assert dict(records[0].headers)["event_type"] == b"plan.returned"


def test_relay_does_not_skip_rows_that_commit_out_of_order(service, producer, kafka_bootstrap) -> None:
    relay = OutboxRelay(service.engine, service.tables.outbox, producer, lock_name="t")
    slow = service.uow().__enter__()
    early = publish(slow, NIP_A, "id allocated first, committed last")
    slow.session.flush()
    with service.uow() as fast:
        late = publish(fast, NIP_B, "id allocated second, committed first")
        fast.commit()
    assert relay.publish_pending() == 1  # only the committed row is visible
    slow.commit()
    slow.__exit__(None, None, None)
    assert relay.publish_pending() == 1  # the lower id is still picked up
    ids = {Envelope.from_json(r.value).event_id for r in read_all(kafka_bootstrap, service.topic, expected=2)}
    assert ids == {early.event_id, late.event_id}


class CrashAfterPublish(Exception):
    pass


def test_crash_between_publish_and_delete_duplicates_and_consumer_dedupes(service, producer, kafka_bootstrap) -> None:
    with service.uow() as uow:
        event = publish(uow, NIP_A, "sent twice")
        uow.commit()

    class CrashingProducer:
        """The real producer, then a crash before the relay can delete the sent row."""

        def send(self, *args, **kwargs):
            return producer.send(*args, **kwargs)

        def flush(self, timeout: float | None = None) -> None:
            producer.flush(timeout)
            raise CrashAfterPublish

    with pytest.raises(CrashAfterPublish):
        OutboxRelay(service.engine, service.tables.outbox, CrashingProducer(), lock_name="t").publish_pending()
    assert OutboxRelay(service.engine, service.tables.outbox, producer, lock_name="t").publish_pending() == 1
    records = read_all(kafka_bootstrap, service.topic, expected=2)
    assert [Envelope.from_json(r.value).event_id for r in records] == [event.event_id, event.event_id]

    effects = run_consumer_until(service, producer, kafka_bootstrap, lambda outcomes: len(outcomes) >= 2)
    assert [o.status for o in effects] == ["processed", "duplicate"]
    assert service.count(service.effects) == 1


def run_consumer_until(
    service: Service,
    producer: KafkaProducer,
    bootstrap: str,
    done,
    group: str | None = None,
    timeout_s: float = 45.0,
    name: str | None = None,
):
    """Poll with an IdempotentConsumer called `name` (its inbox key) in Kafka group `group`."""
    group = group or f"g-{uuid.uuid4().hex[:8]}"

    def handler(uow: UnitOfWork, envelope: Envelope) -> None:
        uow.session.execute(insert(service.effects).values(event_id=envelope.event_id))

    consumer = IdempotentConsumer(
        name=name or group,
        catalog=service.catalog,
        handlers={"plan.returned": handler},
        uow_factory=service.uow,
        dlq_producer=producer,
        sleep=lambda _s: None,
    )
    kafka_consumer = create_consumer(bootstrap, group, [service.topic], client_id="itest")
    outcomes = []
    deadline = time.monotonic() + timeout_s
    try:
        while not done(outcomes) and time.monotonic() < deadline:
            outcomes += consumer.poll_once(kafka_consumer, timeout_ms=300)
    finally:
        kafka_consumer.close(autocommit=False)
    return outcomes


def test_poison_goes_to_the_dlq_and_the_next_message_is_processed(service, producer, kafka_bootstrap) -> None:
    with service.uow() as uow:
        good_before = publish(uow, NIP_A, "before the poison")
        uow.commit()
    OutboxRelay(service.engine, service.tables.outbox, producer, lock_name="t").publish_pending()
    # Poison on the same partition (same key) as the good events around it.
    producer.send(service.topic, key=NIP_A.encode(), value=b'{"event_type": "plan.returned", "truncat').get(30)
    with service.uow() as uow:
        good_after = publish(uow, NIP_A, "after the poison")
        uow.commit()
    OutboxRelay(service.engine, service.tables.outbox, producer, lock_name="t").publish_pending()

    group = f"g-{uuid.uuid4().hex[:8]}"
    outcomes = run_consumer_until(service, producer, kafka_bootstrap, lambda o: len(o) >= 3, group=group)
    assert [o.status for o in outcomes] == ["processed", "dead_lettered", "processed"]
    with service.engine.connect() as conn:
        handled = set(conn.execute(select(service.effects.c.event_id)).scalars())
    assert handled == {good_before.event_id, good_after.event_id}

    [dead] = read_all(kafka_bootstrap, f"{service.topic}.dlq", expected=1)
    headers = dict(dead.headers)
    assert dead.key == NIP_A.encode()
    assert dead.value.startswith(b'{"event_type"')
    assert headers["dlq.source.topic"] == service.topic.encode()
    assert int(headers["dlq.source.offset"]) == 1
    assert b"not valid JSON" in headers["dlq.error"]
    assert headers["dlq.attempts"] == b"1"

    # Offsets were committed: the same group starts after the last record, processing nothing again.
    again = run_consumer_until(service, producer, kafka_bootstrap, lambda o: False, group=group, timeout_s=4)
    assert again == []
    assert service.count(service.effects) == 2


def test_redelivery_after_lost_offset_commit_changes_nothing(service, producer, kafka_bootstrap) -> None:
    with service.uow() as uow:
        for i in range(5):
            publish(uow, NIP_A if i % 2 else NIP_B, f"event {i}")
        uow.commit()
    OutboxRelay(service.engine, service.tables.outbox, producer, lock_name="t").publish_pending()
    group = f"g-{uuid.uuid4().hex[:8]}"
    first = run_consumer_until(service, producer, kafka_bootstrap, lambda o: len(o) >= 5, group=group)
    assert [o.status for o in first] == ["processed"] * 5
    # A fresh Kafka group for the same consumer stands for offsets that were never committed
    # (a crash after our transaction, before the offset commit): all five arrive again.
    again = run_consumer_until(
        service, producer, kafka_bootstrap, lambda o: len(o) >= 5, group=group + "-lost", name=group
    )
    assert [o.status for o in again] == ["duplicate"] * 5
    assert service.count(service.effects) == 5
    assert service.count(service.tables.processed_events) == 5


def test_concurrent_appends_to_the_same_version_conflict_on_postgres(service) -> None:
    barrier = threading.Barrier(2)
    results: list[str] = []

    def writer(amount: int) -> None:
        with service.uow() as uow:
            barrier.wait()
            try:
                uow.events.append(
                    "counter", "c-1", 0, [DomainEvent("counter.added", {"amount": amount})], tenant="1671"
                )
                uow.commit()
                results.append("ok")
            except ConcurrencyConflict:
                results.append("conflict")

    threads = [threading.Thread(target=writer, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["conflict", "ok"]
    assert service.count(service.tables.event_store) == 1


# --- the relay waits for a commit's notification instead of polling ------------------------------


def _waited(relay: OutboxRelay, timeout_s: float) -> float:
    started = time.monotonic()
    relay.wait_for_rows(timeout_s)
    return time.monotonic() - started


def test_a_commit_with_outbox_rows_wakes_the_waiting_relay(service, producer) -> None:
    relay = OutboxRelay(service.engine, service.tables.outbox, producer, lock_name="t")
    try:
        _waited(relay, 0.1)  # listening from here on

        def commit_later() -> None:
            time.sleep(0.5)
            with service.uow() as uow:
                publish(uow, NIP_A, "wakes the relay")
                uow.commit()

        writer = threading.Thread(target=commit_later)
        writer.start()
        waited = _waited(relay, 20.0)
        writer.join()
        assert 0.4 < waited < 10.0  # woken by the commit, not by the timeout
        assert relay.publish_pending() == 1
    finally:
        relay.close()


def test_a_rolled_back_transaction_wakes_no_relay(service, producer) -> None:
    relay = OutboxRelay(service.engine, service.tables.outbox, producer, lock_name="t")
    try:
        _waited(relay, 0.1)
        with service.uow() as uow:
            publish(uow, NIP_A, "never committed")  # rolled back on exit
        assert _waited(relay, 1.5) >= 1.4
        assert relay.publish_pending() == 0
    finally:
        relay.close()


def test_one_relay_of_a_service_listens_the_others_stand_by_until_it_closes(service, producer) -> None:
    first = OutboxRelay(service.engine, service.tables.outbox, producer, lock_name="t")
    second = OutboxRelay(service.engine, service.tables.outbox, producer, lock_name="t")
    try:
        _waited(first, 0.1)
        _waited(second, 0.1)
        assert first.listening
        assert not second.listening
        with service.uow() as uow:
            publish(uow, NIP_A, "wakes only the listening relay")
            uow.commit()
        assert _waited(first, 10.0) < 5.0  # woken by the commit
        assert _waited(second, 1.0) >= 0.9  # on standby: not woken, it looks again after its idle time
        assert second.publish_pending() == 1  # and then publishes what is there like any relay
        first.close()  # a stopped copy hands the listening over
        _waited(second, 0.1)
        assert second.listening
    finally:
        first.close()
        second.close()


def test_one_notification_per_transaction_however_many_events(service) -> None:
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(service.engine, "before_cursor_execute", record)
    try:
        with service.uow() as uow:
            for n in range(3):
                publish(uow, NIP_A, f"event {n}")
            uow.commit()
    finally:
        event.remove(service.engine, "before_cursor_execute", record)
    assert sum(s.startswith("NOTIFY") for s in statements) == 1
    assert sum(s.startswith("INSERT INTO outbox") for s in statements) == 3
