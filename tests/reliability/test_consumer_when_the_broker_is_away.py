"""Found by the broker-restart fault test: an offset commit that times out while the broker restarts
(kafka-python raises KafkaTimeoutError, not CommitFailedError) used to escape the poll loop and end the
worker process. Now the processed records stay processed, the commit is retried by the next one, and the
loop backs off and carries on. Unit level, with a stand-in Kafka consumer; the broker is in the fault test."""

from __future__ import annotations

import threading
from pathlib import Path

from kafka.errors import KafkaConnectionError, KafkaTimeoutError
from kafka.structs import TopicPartition
from sqlalchemy import MetaData

from shared.contracts import CATALOG
from shared.messaging.consumer import IdempotentConsumer
from shared.storage.database import create_db_engine, create_session_factory
from shared.storage.tables import add_eventing_tables
from shared.storage.unit_of_work import UnitOfWork
from tests.unit.shared.conftest import FakeProducer, FakeRecord
from tests.unit.shared.test_consumer import TOPIC, returned_event


class BrokerAway:
    """A KafkaConsumer stand-in: hands out one batch, then its commits (and later polls) fail."""

    def __init__(self, batch: list[FakeRecord], stop: threading.Event, poll_errors: int = 0) -> None:
        self.batch = batch
        self.stop = stop
        self.poll_errors = poll_errors
        self.commits: list[dict] = []
        self.polls = 0

    def poll(self, timeout_ms: int = 0) -> dict:
        self.polls += 1
        if self.batch:
            batch, self.batch = self.batch, []
            return {TopicPartition(TOPIC, 2): batch}
        if self.poll_errors:
            self.poll_errors -= 1
            raise KafkaConnectionError("111 ECONNREFUSED")
        self.stop.set()
        return {}

    def commit(self, offsets: dict) -> None:
        self.commits.append(offsets)
        raise KafkaTimeoutError("commit timed out")

    def seek(self, tp: TopicPartition, offset: int) -> None:  # pragma: no cover - no rewind expected here
        raise AssertionError("nothing to rewind: the records were processed")

    def assignment(self) -> set:
        return set()


def test_a_commit_timeout_while_the_broker_restarts_does_not_end_the_consumer(tmp_path: Path) -> None:
    metadata = MetaData()
    tables = add_eventing_tables(metadata)
    engine = create_db_engine(f"sqlite:///{tmp_path}/store.db")
    metadata.create_all(engine)
    seen: list[str] = []
    consumer = IdempotentConsumer(
        name="broker-away",
        catalog=CATALOG,
        handlers={"plan.returned": lambda _uow, envelope: seen.append(envelope.event_id)},
        uow_factory=lambda: UnitOfWork(create_session_factory(engine), tables, CATALOG, producer="test"),
        dlq_producer=FakeProducer(),
        sleep=lambda _s: None,
    )
    events = [returned_event(), returned_event()]
    records = [FakeRecord(TOPIC, 2, i, b"k", e.to_json()) for i, e in enumerate(events)]
    stop = threading.Event()
    kafka = BrokerAway(records, stop, poll_errors=2)
    consumer.run(kafka, stop, max_backoff_s=0.01)  # returns only when the stand-in ran out: no exception escaped
    assert seen == [e.event_id for e in events]
    assert len(kafka.commits) == 1
    assert kafka.polls == 4  # the batch, two failed polls, the empty one
    engine.dispose()
