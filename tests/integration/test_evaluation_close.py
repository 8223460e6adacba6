"""Evaluation's period close against real PostgreSQL and Kafka: the close request writes one work
item per employee to the outbox, the relay puts them on the (partitioned) topic, two worker copies
in one consumer group evaluate them, and the results reach the topic as `evaluation.completed` —
exactly once per employee, also when the close is run again. A corrected realisasi then publishes
`evaluation.revised`."""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest

from services.evaluation.adapters.tables import MIGRATIONS, eventing, metadata
from services.evaluation.bootstrap import event_handlers
from services.evaluation.service_layer import handlers, period_close
from shared.auth import Principal
from shared.config import Settings
from shared.contracts.evaluation import TOPIC as EVALUATION_TOPIC
from shared.contracts.evaluation import WORK_TOPIC
from shared.messaging.consumer import IdempotentConsumer
from shared.messaging.kafka import create_consumer, create_producer
from shared.messaging.relay import OutboxRelay
from shared.runtime import ServiceRuntime
from tests.integration.kafka_tools import catalog_on_topics, fresh_topic, read_envelopes
from tests.unit.evaluation.evaluation_samples import BERAKHLAK, envelope
from tests.unit.evaluation.org_samples import ORGANISATION, PUSKESMAS

pytestmark = pytest.mark.integration

TENANT, YEAR = "1671", 2026
ATASAN = "197001012000031001"
ADMIN = Principal(nip="1" * 18, roles=frozenset({"admin_instansi"}), tenant=TENANT)
# 20 items: the close's items and a batch's rows reach bulk_insert.COPY_FROM_ROWS (16), so COPY is used
COMPLETE, INCOMPLETE = 17, 3


def nip(i: int) -> str:
    return f"19900101201503{i:04d}"


def plan(i: int) -> dict:
    skp = f"skp-{nip(i)}-{YEAR}"
    return {
        "skp_id": skp,
        "nip": nip(i),
        "employee_name": f"Pegawai {i}",
        "atasan_nip": ATASAN,
        "atasan_name": "Budi",
        "unit": "Puskesmas Sukarami",
        "unit_id": PUSKESMAS,
        "period_year": YEAR,
        "approved_by": ATASAN,
        "rhk": [
            {
                "rhk_id": f"{skp}.r1",
                "description": "Pelayanan",
                "kind": "utama",
                "iki": [
                    {
                        "iki_id": f"{skp}.r1.i1",
                        "indicator": "Pasien dilayani",
                        "aspect": "kuantitas",
                        "target": 100,
                        "unit": "pasien",
                        "direction": "higher_is_better",
                    }
                ],
            }
        ],
    }


def progress(i: int, value: float) -> dict:
    skp = f"skp-{nip(i)}-{YEAR}"
    return {
        "skp_id": skp,
        "nip": nip(i),
        "period_year": YEAR,
        "quarter": 4,
        "rhk_id": f"{skp}.r1",
        "iki_id": f"{skp}.r1.i1",
        "value": value,
    }


@pytest.fixture
def service(postgres, kafka_bootstrap) -> Iterator[ServiceRuntime]:
    fresh = {
        EVALUATION_TOPIC: fresh_topic(kafka_bootstrap, "evaluation", partitions=3),
        WORK_TOPIC: fresh_topic(kafka_bootstrap, "evaluation-work", partitions=3),
    }
    catalog = catalog_on_topics(fresh)
    settings = dataclasses.replace(
        Settings.from_env("evaluation"), database_url=postgres.new_database("evaluation_close")
    )
    runtime = ServiceRuntime(settings, metadata, eventing, MIGRATIONS, catalog=catalog)
    runtime.migrate()
    yield runtime
    runtime.engine.dispose()


def deliver(runtime: ServiceRuntime, event) -> None:
    with runtime.uow() as uow:
        event_handlers(runtime)[event.event_type](uow, event)
        uow.commit()


def work_off(runtime: ServiceRuntime, bootstrap: str, producer, close_id: str, copies: int = 2) -> Counter:
    """Run `copies` worker consumers in one group until the close has no pending item."""
    topic = runtime.catalog.topic_of("evaluation.requested")
    group = f"kinerja-evaluation-{uuid.uuid4().hex[:6]}"
    workers = [
        (
            IdempotentConsumer(
                name="kinerja-evaluation",
                catalog=runtime.catalog,
                handlers=event_handlers(runtime),
                uow_factory=runtime.uow,
                dlq_producer=producer,
                sleep=lambda _s: None,
            ),
            create_consumer(bootstrap, group, [topic], client_id=f"itest-{n}"),
        )
        for n in range(copies)
    ]
    statuses: Counter = Counter()
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            for consumer, kafka_consumer in workers:
                for outcome in consumer.poll_once(kafka_consumer, timeout_ms=200):
                    statuses[outcome.status] += 1
            progress_now = period_close.get_close(runtime.uow(), ADMIN, close_id)
            if progress_now["finished"]:
                return statuses
    finally:
        for _, kafka_consumer in workers:
            kafka_consumer.close(autocommit=False)
    raise AssertionError(f"close {close_id} did not finish: {progress_now['counts']}")


def test_close_spreads_over_worker_copies_and_publishes_each_result_once(service, kafka_bootstrap) -> None:
    for event in ORGANISATION:
        deliver(service, event)
    for i in range(COMPLETE + INCOMPLETE):
        deliver(service, envelope("plan.approved", plan(i)))
        deliver(service, envelope("progress.reported", progress(i, 100 + i), aggregate_version=4))
    atasan = Principal(nip=ATASAN, roles=frozenset({"atasan"}), tenant=TENANT)
    for i in range(COMPLETE):  # the last INCOMPLETE have no atasan assessment
        rating = "di_atas_ekspektasi" if i % 2 else "sesuai_ekspektasi"
        handlers.record_assessment(
            service.uow(),
            atasan,
            {"nip": nip(i), "period_year": YEAR, "source": "atasan", "behaviour": dict.fromkeys(BERAKHLAK, rating)},
        )

    producer = create_producer(kafka_bootstrap, client_id="itest-evaluation")
    relay = OutboxRelay(service.engine, service.tables.outbox, producer, lock_name="evaluation")
    topic = service.catalog.topic_of("evaluation.completed")
    try:
        first = period_close.request_close(service.uow(), ADMIN, YEAR, "annual", None)
        assert first["total"] == COMPLETE + INCOMPLETE
        relay.publish_pending()
        work_off(service, kafka_bootstrap, producer, first["close_id"])
        done = period_close.get_close(service.uow(), ADMIN, first["close_id"])
        assert done["counts"]["completed"] == COMPLETE
        assert done["counts"]["incomplete"] == INCOMPLETE
        assert {item["nip"] for item in done["incomplete"]} == {nip(i) for i in range(COMPLETE, COMPLETE + INCOMPLETE)}

        # Run the close again: nothing new, nothing changed, no second result.
        second = period_close.request_close(service.uow(), ADMIN, YEAR, "annual", None)
        relay.publish_pending()
        work_off(service, kafka_bootstrap, producer, second["close_id"])
        again = period_close.get_close(service.uow(), ADMIN, second["close_id"])
        assert again["counts"]["unchanged"] == COMPLETE
        assert again["counts"]["completed"] == 0

        # Late data: a corrected realisasi revises that employee's result.
        deliver(service, envelope("progress.reported", progress(0, 10), aggregate_version=9))
        relay.publish_pending()

        on_topic = read_envelopes(kafka_bootstrap, topic)
        completed = [e for e in on_topic if e.event_type == "evaluation.completed"]
        assert sorted(e.payload["nip"] for e in completed) == sorted(nip(i) for i in range(COMPLETE))
        assert not [e for e in on_topic if e.event_type == "evaluation.requested"]  # not on the public topic
        work = read_envelopes(kafka_bootstrap, service.catalog.topic_of("evaluation.requested"))
        assert len(work) == 2 * (COMPLETE + INCOMPLETE)
        assert {e.payload["nip"] for e in work} == {nip(i) for i in range(COMPLETE + INCOMPLETE)}
        [revised] = [e for e in on_topic if e.event_type == "evaluation.revised"]
        assert revised.payload["nip"] == nip(0)
        assert revised.payload["rating_hasil_kerja"] == "di_bawah_ekspektasi"
        assert revised.payload["revision"] == 1
    finally:
        producer.close(timeout=10)
