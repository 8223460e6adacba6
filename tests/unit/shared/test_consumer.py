"""The idempotent consumer's decisions, with a fake producer (the real broker is in integration)."""

from __future__ import annotations

import json
from typing import ClassVar

import pytest
from sqlalchemy import func, select

from shared.contracts import CATALOG
from shared.errors import DomainError
from shared.events import Envelope, InvalidEvent
from shared.messaging.consumer import BackendUnavailable, IdempotentConsumer
from tests.unit.shared.conftest import FakeProducer, FakeRecord

TOPIC = "kinerja.planning.events"


def returned_event() -> Envelope:
    return CATALOG.prepare(
        Envelope.new(
            event_type="plan.returned",
            schema_version=1,
            producer="planning",
            tenant="1671",
            aggregate_id="skp-198503302010011002-2026",
            aggregate_version=3,
            correlation_id="c-1",
            payload={
                "skp_id": "skp-198503302010011002-2026",
                "nip": "198503302010011002",
                "employee_name": "Siti",
                "period_year": 2026,
                "returned_by": "197001012000031001",
                "reason": "Lengkapi IKI.",
            },
        )
    )


def record(value: bytes | None, offset: int = 0) -> FakeRecord:
    return FakeRecord(TOPIC, 2, offset, b"198503302010011002", value, [("event_type", b"plan.returned")])


class Recorder:
    def __init__(self, fail_times: int = 0, error: Exception | None = None) -> None:
        self.seen: list[str] = []
        self.fail_times = fail_times
        self.error = error or RuntimeError("flaky dependency")

    def __call__(self, uow, envelope: Envelope) -> None:
        if self.fail_times:
            self.fail_times -= 1
            raise self.error
        self.seen.append(envelope.event_id)


def make_consumer(store, handler, producer: FakeProducer, max_attempts: int = 3) -> IdempotentConsumer:
    return IdempotentConsumer(
        name="test-group",
        catalog=CATALOG,
        handlers={"plan.returned": handler},
        uow_factory=store.uow,
        dlq_producer=producer,
        max_attempts=max_attempts,
        sleep=lambda _s: None,
    )


def processed_count(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(store.tables.processed_events)).scalar()


def test_a_redelivered_event_is_processed_once(store) -> None:
    handler, producer = Recorder(), FakeProducer()
    consumer = make_consumer(store, handler, producer)
    value = returned_event().to_json()
    outcomes = [consumer.handle(record(value, 0)).status, consumer.handle(record(value, 0)).status]
    assert outcomes == ["processed", "duplicate"]
    assert len(handler.seen) == 1
    assert processed_count(store) == 1
    assert producer.sent == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"{broken", "not valid JSON"),
        (b'{"payload": NaN}', "not valid JSON"),  # NaN and Infinity are not JSON
        (b'{"event_type": "plan.returned\xff"}', "not valid JSON"),  # not UTF-8
        (b'{"event_type": "\\ud800"}', "not valid JSON"),  # a lone surrogate: no text can hold it
        (json.dumps({"event_type": "plan.returned"}).encode(), "envelope is invalid"),
        (None, "no value"),
    ],
)
def test_poison_messages_go_to_the_dlq_with_their_reason(store, value, reason) -> None:
    handler, producer = Recorder(), FakeProducer()
    outcome = make_consumer(store, handler, producer).handle(record(value, 41))
    assert outcome.status == "dead_lettered"
    [dead] = producer.sent
    assert dead["topic"] == f"{TOPIC}.dlq"
    assert dead["key"] == b"198503302010011002"
    assert dead["value"] == value
    assert dead["headers"]["dlq.source.topic"] == TOPIC.encode()
    assert dead["headers"]["dlq.source.partition"] == b"2"
    assert dead["headers"]["dlq.source.offset"] == b"41"
    assert dead["headers"]["dlq.attempts"] == b"1"
    assert reason in dead["headers"]["dlq.error"].decode()
    assert handler.seen == []


def test_unknown_event_type_goes_to_the_dlq(store) -> None:
    data = json.loads(returned_event().to_json())
    data["event_type"] = "plan.vanished"
    producer = FakeProducer()
    outcome = make_consumer(store, Recorder(), producer).handle(record(json.dumps(data).encode()))
    assert outcome.status == "dead_lettered"
    assert "unknown event type" in producer.sent[0]["headers"]["dlq.error"].decode()


def test_wrong_payload_goes_to_the_dlq_and_names_the_field(store) -> None:
    data = json.loads(returned_event().to_json())
    data["payload"]["period_year"] = "tahun ini"
    producer = FakeProducer()
    make_consumer(store, Recorder(), producer).handle(record(json.dumps(data).encode()))
    assert "period_year" in producer.sent[0]["headers"]["dlq.error"].decode()


def test_transient_failures_are_retried_then_succeed(store) -> None:
    handler, producer = Recorder(fail_times=2), FakeProducer()
    outcome = make_consumer(store, handler, producer, max_attempts=3).handle(record(returned_event().to_json()))
    assert outcome.status == "processed"
    assert len(handler.seen) == 1
    assert producer.sent == []


def test_retries_are_bounded_and_then_dead_lettered_with_the_count(store) -> None:
    handler, producer = Recorder(fail_times=10), FakeProducer()
    outcome = make_consumer(store, handler, producer, max_attempts=3).handle(record(returned_event().to_json()))
    assert outcome.status == "dead_lettered"
    assert producer.sent[0]["headers"]["dlq.attempts"] == b"3"
    assert "flaky dependency" in producer.sent[0]["headers"]["dlq.error"].decode()
    assert processed_count(store) == 0


def test_a_domain_refusal_is_dead_lettered_without_retries(store) -> None:
    handler = Recorder(fail_times=10, error=DomainError("nope", "Tidak.", "No."))
    producer = FakeProducer()
    make_consumer(store, handler, producer, max_attempts=3).handle(record(returned_event().to_json()))
    assert producer.sent[0]["headers"]["dlq.attempts"] == b"1"
    assert handler.fail_times == 9


def test_events_without_a_handler_are_ignored(store) -> None:
    producer = FakeProducer()
    consumer = IdempotentConsumer(name="g", catalog=CATALOG, handlers={}, uow_factory=store.uow, dlq_producer=producer)
    assert consumer.handle(record(returned_event().to_json())).status == "ignored"
    assert producer.sent == []
    assert processed_count(store) == 0


def test_an_unhandled_type_is_ignored_without_reading_its_payload(store) -> None:
    data = json.loads(returned_event().to_json())
    data["payload"]["period_year"] = "tahun ini"  # nobody here reads it, so nobody refuses it
    producer = FakeProducer()
    consumer = IdempotentConsumer(name="g", catalog=CATALOG, handlers={}, uow_factory=store.uow, dlq_producer=producer)
    assert consumer.handle(record(json.dumps(data).encode())).status == "ignored"
    assert producer.sent == []


class Reader(Recorder):
    """A handler that names what it reads of plan.returned."""

    reads: ClassVar = {"plan.returned": ("nip", "reason")}

    def __init__(self, error: Exception | None = None) -> None:
        super().__init__(fail_times=1 if error else 0, error=error)
        self.payloads: list[dict] = []

    def __call__(self, uow, envelope: Envelope) -> None:
        super().__call__(uow, envelope)
        self.payloads.append(envelope.payload)


def test_a_handler_gets_the_fields_it_reads_validated_and_no_others(store) -> None:
    data = json.loads(returned_event().to_json())
    data["payload"]["period_year"] = "tahun ini"
    handler, producer = Reader(), FakeProducer()
    assert make_consumer(store, handler, producer).handle(record(json.dumps(data).encode())).status == "processed"
    assert handler.payloads == [{"nip": "198503302010011002", "reason": "Lengkapi IKI."}]
    data["payload"]["reason"] = ""  # a field it reads is checked as before
    outcome = make_consumer(store, Reader(), producer).handle(record(json.dumps(data).encode(), offset=1))
    assert outcome.status == "dead_lettered"
    assert "reason" in producer.sent[0]["headers"]["dlq.error"].decode()


def test_an_event_a_handler_finds_invalid_is_dead_lettered_without_retries(store) -> None:
    handler, producer = (
        Reader(error=InvalidEvent("payload of plan.returned v1 is invalid", {"skp_id": ["bad"]})),
        FakeProducer(),
    )
    outcome = make_consumer(store, handler, producer, max_attempts=3).handle(record(returned_event().to_json()))
    assert outcome.status == "dead_lettered"
    assert producer.sent[0]["headers"]["dlq.attempts"] == b"1"
    assert "invalid event: payload of plan.returned v1 is invalid" in producer.sent[0]["headers"]["dlq.error"].decode()
    assert processed_count(store) == 0


def test_a_handler_may_only_read_fields_of_the_contract(store) -> None:
    class Misspelt(Recorder):
        reads: ClassVar = {"plan.returned": ("nip", "alasan")}

    with pytest.raises(ValueError, match="alasan"):
        make_consumer(store, Misspelt(), FakeProducer())


def test_a_dlq_that_cannot_be_written_stops_the_offset(store) -> None:
    consumer = make_consumer(store, Recorder(), FakeProducer(fail=True))
    with pytest.raises(BackendUnavailable):
        consumer.handle(record(b"{broken"))


def test_handlers_must_exist_in_the_catalog(store) -> None:
    with pytest.raises(ValueError, match=r"plan\.teleported"):
        IdempotentConsumer(
            name="g",
            catalog=CATALOG,
            handlers={"plan.teleported": Recorder()},
            uow_factory=store.uow,
            dlq_producer=FakeProducer(),
        )
