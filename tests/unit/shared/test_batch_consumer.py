"""The consumer's batch mode: one transaction per batch, tried first without savepoints; when an
event fails, the batch is redone with one savepoint per event."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from kafka.structs import TopicPartition
from prometheus_client import REGISTRY
from sqlalchemy import event, insert, select
from sqlalchemy.exc import OperationalError

from shared.aggregate import Aggregate
from shared.contracts import CATALOG
from shared.errors import DomainError
from shared.events import Envelope, InvalidEvent
from shared.messaging.consumer import BackendUnavailable, IdempotentConsumer
from shared.storage import deferred_writes
from tests.unit.shared.conftest import FakeProducer, FakeRecord
from tests.unit.shared.test_consumer import TOPIC, processed_count, returned_event


class Crash(BaseException):
    """A process dying mid-batch (not an Exception: nothing in the consumer may swallow it)."""


class Writer:
    """A handler that writes one row per event (to the event store) so rollbacks can be seen;
    `fail` maps an event id to what to raise, after the write: a DomainError (a refusal) every time,
    anything else once per listed failure. The batch's first, optimistic pass counts as a call."""

    def __init__(self, store, fail: dict[str, list[BaseException]] | None = None, publish: bool = False) -> None:
        self.store = store
        self.publish = publish
        self.fail = fail or {}
        self.calls: list[str] = []

    @staticmethod
    def row(envelope: Envelope) -> dict:
        return {
            "aggregate_id": envelope.event_id,
            "version": 1,
            "aggregate_type": "test",
            "event_type": "written",
            "data": {},
            "occurred_at": datetime.now(UTC),
            "tenant": "1671",
            "correlation_id": "c",
        }

    def __call__(self, uow, envelope: Envelope) -> None:
        self.calls.append(envelope.event_id)
        uow.session.execute(insert(self.store.tables.event_store).values(**self.row(envelope)))
        if self.publish:
            uow.publish(
                "plan.returned", envelope.payload, tenant="1671", aggregate_id=envelope.event_id, aggregate_version=1
            )
        failures = self.fail.get(envelope.event_id)
        if failures and isinstance(failures[0], DomainError | InvalidEvent):  # permanent
            raise failures[0]
        if failures:
            raise failures.pop(0)


def written(store) -> list[str]:
    with store.engine.connect() as conn:
        return sorted(conn.execute(select(store.tables.event_store.c.aggregate_id)).scalars())


class CountingUow:
    def __init__(self, store) -> None:
        self.store, self.commits = store, 0

    def __call__(self):
        uow = self.store.uow()
        commit = uow.commit

        def counted() -> None:
            commit()
            self.commits += 1

        uow.commit = counted  # type: ignore[method-assign]
        return uow


def consumer_for(store, handler, producer, uow_factory=None, batch_size: int = 50) -> IdempotentConsumer:
    return IdempotentConsumer(
        name="test-group",
        catalog=CATALOG,
        handlers={"plan.returned": handler},
        uow_factory=uow_factory or store.uow,
        dlq_producer=producer,
        max_attempts=3,
        sleep=lambda _s: None,
        batch_size=batch_size,
    )


def events(n: int) -> list[Envelope]:
    out = []
    for _ in range(n):
        e = returned_event()
        out.append(Envelope.from_json(e.to_json().replace(e.event_id.encode(), str(uuid.uuid4()).encode())))
    return out


def records(values: list[bytes | None], start: int = 10) -> list[FakeRecord]:
    return [FakeRecord(TOPIC, 1, start + i, b"198503302010011002", v) for i, v in enumerate(values)]


@pytest.fixture
def five() -> list[Envelope]:
    return events(5)


def test_one_transaction_for_the_whole_batch(store, five) -> None:
    counting = CountingUow(store)
    handler = Writer(store)
    outcomes = consumer_for(store, handler, FakeProducer(), counting).handle_batch(records([e.to_json() for e in five]))
    assert [o.status for o in outcomes] == ["processed"] * 5
    assert counting.commits == 1
    assert processed_count(store) == 5
    assert written(store) == sorted(e.event_id for e in five)


@pytest.mark.parametrize(
    ("refusal", "reason"),
    [
        (DomainError("nope", "Tidak.", "No."), "refused by handler: nope"),
        (InvalidEvent("payload of plan.returned v1 is invalid"), "invalid event: payload of plan.returned"),
    ],
)
def test_a_poison_event_in_the_middle_goes_to_the_dlq_alone(store, five, refusal, reason) -> None:
    poison = five[2]
    handler = Writer(store, fail={poison.event_id: [refusal]})
    producer = FakeProducer()
    outcomes = consumer_for(store, handler, producer).handle_batch(records([e.to_json() for e in five]))
    assert [o.status for o in outcomes] == ["processed", "processed", "dead_lettered", "processed", "processed"]
    [dead] = producer.sent
    assert dead["value"] == poison.to_json()
    assert dead["headers"]["dlq.source.offset"] == b"12"
    assert reason in dead["headers"]["dlq.error"].decode()
    assert dead["headers"]["dlq.attempts"] == b"1"
    # its write was rolled back with its savepoint; the others committed with their inbox rows
    assert written(store) == sorted(e.event_id for e in five if e is not poison)
    assert processed_count(store) == 4


def test_an_undecodable_record_in_the_middle_goes_to_the_dlq_alone(store, five) -> None:
    values = [e.to_json() for e in five]
    values[1] = b"{broken"
    producer = FakeProducer()
    outcomes = consumer_for(store, Writer(store), producer).handle_batch(records(values))
    assert [o.status for o in outcomes] == ["processed", "dead_lettered", "processed", "processed", "processed"]
    assert [d["headers"]["dlq.source.offset"] for d in producer.sent] == [b"11"]
    assert processed_count(store) == 4


def test_a_transient_failure_is_retried_in_a_fresh_savepoint(store, five) -> None:
    flaky = five[3]
    # the optimistic pass fails on it, then one failed attempt in a savepoint and a good one
    handler = Writer(store, fail={flaky.event_id: [RuntimeError("flaky"), RuntimeError("flaky")]})
    producer = FakeProducer()
    outcomes = consumer_for(store, handler, producer).handle_batch(records([e.to_json() for e in five]))
    assert [o.status for o in outcomes] == ["processed"] * 5
    assert handler.calls.count(flaky.event_id) == 3
    assert handler.calls.count(five[0].event_id) == 2  # the whole batch was redone
    assert written(store).count(flaky.event_id) == 1  # the failed attempts' writes were undone
    assert producer.sent == []


def test_retries_exhausted_dead_letter_that_event_only(store, five) -> None:
    bad = five[0]
    handler = Writer(store, fail={bad.event_id: [RuntimeError("still broken")] * 10})
    producer = FakeProducer()
    outcomes = consumer_for(store, handler, producer).handle_batch(records([e.to_json() for e in five]))
    assert [o.status for o in outcomes] == ["dead_lettered"] + ["processed"] * 4
    assert producer.sent[0]["headers"]["dlq.attempts"] == b"3"
    assert handler.calls.count(bad.event_id) == 1 + 3  # the optimistic pass, then max_attempts
    assert processed_count(store) == 4


def test_a_crash_mid_batch_leaves_nothing_and_the_redelivery_has_no_duplicates(store, five) -> None:
    batch = records([e.to_json() for e in five])
    crashing = Writer(store, fail={five[3].event_id: [Crash()]})
    with pytest.raises(Crash):
        consumer_for(store, crashing, FakeProducer()).handle_batch(batch)
    assert processed_count(store) == 0
    assert written(store) == []
    # the offsets were not committed: the same batch comes again, to a restarted consumer
    handler = Writer(store)
    first = consumer_for(store, handler, FakeProducer()).handle_batch(batch)
    assert [o.status for o in first] == ["processed"] * 5
    # and once more (the offset commit was lost after the transaction committed): all duplicates
    again = consumer_for(store, handler, FakeProducer()).handle_batch(batch)
    assert [o.status for o in again] == ["duplicate"] * 5
    assert written(store) == sorted(e.event_id for e in five)
    assert processed_count(store) == 5


def test_the_same_event_twice_in_a_batch_is_processed_once(store, five) -> None:
    values = [five[0].to_json(), five[1].to_json(), five[0].to_json()]
    outcomes = consumer_for(store, Writer(store), FakeProducer()).handle_batch(records(values))
    assert [o.status for o in outcomes] == ["processed", "processed", "duplicate"]
    assert processed_count(store) == 2


class FakeKafkaConsumer:
    def __init__(self, batch: dict[TopicPartition, list[FakeRecord]]) -> None:
        self.batch = batch
        self.committed: dict[TopicPartition, int] = {}
        self.seeks: dict[TopicPartition, int] = {}

    def poll(self, timeout_ms: int = 0) -> dict[TopicPartition, list[FakeRecord]]:
        return self.batch

    def commit(self, offsets) -> None:
        self.committed.update({tp: meta.offset for tp, meta in offsets.items()})

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.seeks[tp] = offset


def test_poll_once_commits_the_offsets_after_each_batch(store) -> None:
    tp1, tp2 = TopicPartition(TOPIC, 1), TopicPartition(TOPIC, 2)
    evs = events(7)
    kafka = FakeKafkaConsumer(
        {
            tp1: records([e.to_json() for e in evs[:4]], start=100),
            tp2: [FakeRecord(TOPIC, 2, 7 + i, b"k", e.to_json()) for i, e in enumerate(evs[4:])],
        }
    )
    counting = CountingUow(store)
    batches_before, events_before = batch_histogram()
    outcomes = consumer_for(store, Writer(store), FakeProducer(), counting, batch_size=3).poll_once(kafka)
    assert len(outcomes) == 7
    assert counting.commits == 3  # 3 + 3 + 1
    assert kafka.committed == {tp1: 104, tp2: 10}
    batches, events_in_them = batch_histogram()
    assert (batches - batches_before, events_in_them - events_before) == (3, 7)  # operators see the fill


def batch_histogram() -> tuple[float, float]:
    """(transactions, records in them) of the test consumer, from kinerja_consumer_batch_events."""
    labels = {"consumer": "test-group"}
    return (
        REGISTRY.get_sample_value("kinerja_consumer_batch_events_count", labels) or 0.0,
        REGISTRY.get_sample_value("kinerja_consumer_batch_events_sum", labels) or 0.0,
    )


def test_database_away_rewinds_the_batch_and_commits_no_offset(store) -> None:
    tp = TopicPartition(TOPIC, 1)
    evs = events(3)
    kafka = FakeKafkaConsumer({tp: records([e.to_json() for e in evs], start=20)})
    outage = OperationalError("INSERT", {}, Exception("connection refused"))
    handler = Writer(store, fail={evs[1].event_id: [outage]})
    with pytest.raises(BackendUnavailable):
        consumer_for(store, handler, FakeProducer()).poll_once(kafka)
    assert kafka.committed == {}
    assert kafka.seeks == {tp: 20}
    assert processed_count(store) == 0
    assert written(store) == []


def test_batch_size_one_is_one_transaction_per_event(store, five) -> None:
    tp = TopicPartition(TOPIC, 1)
    kafka = FakeKafkaConsumer({tp: records([e.to_json() for e in five])})
    counting = CountingUow(store)
    batches_before, _ = batch_histogram()
    consumer_for(store, Writer(store), FakeProducer(), counting, batch_size=1).poll_once(kafka)
    assert counting.commits == 5
    assert batch_histogram()[0] - batches_before == 5
    assert processed_count(store) == 5


def test_published_events_are_written_once_per_batch_and_a_failed_events_are_dropped(store, five) -> None:
    poison, flaky = five[1], five[3]
    handler = Writer(
        store,
        fail={poison.event_id: [DomainError("nope", "Tidak.", "No.")], flaky.event_id: [RuntimeError("x")]},
        publish=True,
    )
    outcomes = consumer_for(store, handler, FakeProducer()).handle_batch(records([e.to_json() for e in five]))
    assert [o.status for o in outcomes] == ["processed", "dead_lettered", "processed", "processed", "processed"]
    with store.engine.connect() as conn:
        rows = conn.execute(select(store.tables.outbox.c.value).order_by(store.tables.outbox.c.id)).scalars().all()
    published = [Envelope.from_json(v).aggregate_id for v in rows]
    # one event each for the four processed (the failed passes undone), in batch order
    assert published == [e.event_id for e in five if e is not poison]


class Counter(Aggregate):
    """An aggregate whose every event adds one: what a batch's handlers read and append."""

    aggregate_type = "counter"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.total = 0

    def add(self) -> None:
        self._record("added")

    def _on_added(self, _data: dict) -> None:
        self.total += 1


def count_into(aggregate_id: str, seen_totals: list[int]):
    """A handler that loads the counter, adds one and saves it: each event of a batch must see the
    earlier ones' appends, though they are not inserted yet."""

    def handler(uow, envelope: Envelope) -> None:
        counter = uow.events.get(Counter, aggregate_id) or Counter(aggregate_id)
        counter.add()
        seen_totals.append(counter.total)
        uow.events.save(counter, tenant="1671")

    return handler


def statements(store) -> list[str]:
    executed: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *a: executed.append(a[2].split()[0].upper()))
    return executed


def test_a_batch_that_succeeds_runs_without_savepoints_and_inserts_the_event_store_once(store, five) -> None:
    executed = statements(store)
    totals: list[int] = []
    outcomes = consumer_for(store, count_into("c-1", totals), FakeProducer()).handle_batch(
        records([e.to_json() for e in five])
    )
    assert [o.status for o in outcomes] == ["processed"] * 5
    assert totals == [1, 2, 3, 4, 5]  # each handler saw the appends queued before it
    assert "SAVEPOINT" not in executed
    with store.uow() as uow:
        assert uow.events.get(Counter, "c-1").version == 5


def test_a_version_taken_by_another_writer_redoes_the_batch_event_by_event(store, five) -> None:
    totals: list[int] = []
    counting = count_into("c-2", totals)
    rival_wrote: list[bool] = []

    def handler(uow, envelope: Envelope) -> None:
        counting(uow, envelope)
        if envelope.event_id == five[-1].event_id and not rival_wrote:
            # version 1 taken after the batch read the counter, before its flush (on SQLite, which
            # allows one writer, through the batch's own connection, not through the deferred store)
            uow.session.execute(
                insert(store.tables.event_store).values(
                    aggregate_id="c-2",
                    version=1,
                    aggregate_type="counter",
                    event_type="added",
                    data={},
                    occurred_at=datetime.now(UTC),
                    tenant="1671",
                    correlation_id="rival",
                )
            )
            rival_wrote.append(True)

    outcomes = consumer_for(store, handler, FakeProducer()).handle_batch(records([e.to_json() for e in five]))
    assert [o.status for o in outcomes] == ["processed"] * 5
    # the optimistic pass, then the batch redone event by event, where the first sees the taken version
    assert totals == [1, 2, 3, 4, 5, 1, 2, 3, 4, 5]
    with store.uow() as uow:
        assert uow.events.get(Counter, "c-2").version == 5  # the redo's five, once each
    assert processed_count(store) == 5


def test_prefetched_aggregates_are_served_until_appended_to(store) -> None:
    with store.uow() as uow:
        counter = Counter("c-3")
        counter.add()
        uow.events.save(counter, tenant="1671")
        uow.commit()
    executed = statements(store)
    with store.uow() as uow:
        uow.events.prefetch(["c-3", "c-unknown"])
        reads = executed.count("SELECT")
        assert uow.events.get(Counter, "c-3").total == 1
        assert uow.events.get(Counter, "c-unknown") is None
        assert executed.count("SELECT") == reads  # both served from the prefetch
        counter = uow.events.get(Counter, "c-3")
        counter.add()
        uow.events.save(counter, tenant="1671")
        assert uow.events.get(Counter, "c-3").total == 2  # the append is seen, not the stale prefetch


def test_the_session_cache_is_dropped_when_a_failed_event_is_rolled_back(store, five) -> None:
    from shared.storage import session_cache

    served: list[object] = []

    def handler(uow, envelope: Envelope) -> None:
        if envelope.event_id == five[1].event_id:
            session_cache.prime(uow.session, "probe", {"k": "written by a refused event"})
            raise DomainError("nope", "Tidak.", "No.")
        served.append(session_cache.cached(uow.session, "probe", "k", lambda: "read from the database"))

    consumer_for(store, handler, FakeProducer()).handle_batch(records([e.to_json() for e in five]))
    # the redo in savepoints: the events after the refused one never see what it left in the cache
    assert served[-3:] == ["read from the database"] * 3


class DeferredWriter(Writer):
    """Writes its row through deferred_writes (a read model nothing in the batch reads back)."""

    def __call__(self, uow, envelope: Envelope) -> None:
        self.calls.append(envelope.event_id)
        deferred_writes.insert_row(uow.session, self.store.tables.event_store, self.row(envelope))
        if (failures := self.fail.get(envelope.event_id)) and isinstance(failures[0], DomainError):
            raise failures[0]


def test_deferred_rows_of_a_batch_go_in_one_insert_and_a_failed_pass_leaves_none_behind(store, five) -> None:
    executed = statements(store)
    outcomes = consumer_for(store, DeferredWriter(store), FakeProducer()).handle_batch(
        records([e.to_json() for e in five])
    )
    assert [o.status for o in outcomes] == ["processed"] * 5
    assert executed.count("INSERT") == 2  # the five rows, then the five inbox rows
    assert written(store) == sorted(e.event_id for e in five)

    more = events(4)
    refused = DeferredWriter(store, fail={more[1].event_id: [DomainError("nope", "Tidak.", "No.")]})
    outcomes = consumer_for(store, refused, FakeProducer()).handle_batch(records([e.to_json() for e in more], 20))
    assert [o.status for o in outcomes] == ["processed", "dead_lettered", "processed", "processed"]
    # the optimistic pass queued the refused event's row; the redo in savepoints wrote only the others
    assert written(store) == sorted([*(e.event_id for e in five), more[0].event_id, *(e.event_id for e in more[2:])])
