"""Rewards against real PostgreSQL (its own migrated database) and a real Kafka broker.

The rewards worker's parts — its handlers in the idempotent consumer, and the outbox relay — run on
fresh topics: evaluation and organisation events go in, and the decisions' events are read back
from the rewards topic. Covered: an evaluation becoming a reward with its consequences on the
topic, a redelivered record changing nothing, a revision revoking and replacing, and pembinaan.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from kafka import KafkaProducer
from sqlalchemy import func, select

from services.rewards.adapters.tables import decisions
from services.rewards.bootstrap import create_runtime, event_handlers, load_config
from services.rewards.service_layer import handlers
from shared.auth import Principal
from shared.contracts import CATALOG
from shared.events import Envelope
from shared.messaging.consumer import IdempotentConsumer
from shared.messaging.kafka import create_consumer, create_producer
from shared.messaging.relay import OutboxRelay
from shared.runtime import ServiceRuntime
from tests.integration.kafka_tools import catalog_on_topics, fresh_topic, read_all
from tests.unit.rewards.rewards_samples import (
    TENANT,
    employee_record,
    envelope,
    evaluation_payload,
    revised_payload,
)

pytestmark = pytest.mark.integration

SITI, ANDI, BUDI = "198503302010011002", "199104152019031005", "197001012000031001"


@dataclasses.dataclass
class Rewards:
    runtime: ServiceRuntime
    inbound: str  # where evaluation and organisation events arrive
    outbound: str  # the rewards topic
    producer: KafkaProducer
    bootstrap: str
    group: str

    def send(self, event: Envelope) -> None:
        self.producer.send(self.inbound, key=event.payload["nip"].encode(), value=event.to_json()).get(30)

    def consume(self, expected: int, timeout_s: float = 45.0) -> list[str]:
        consumer = IdempotentConsumer(
            name="kinerja-rewards",
            catalog=self.runtime.catalog,
            handlers=event_handlers(self.runtime),
            uow_factory=self.runtime.uow,
            dlq_producer=self.producer,
            sleep=lambda _s: None,
        )
        kafka = create_consumer(self.bootstrap, self.group, [self.inbound], client_id="itest-rewards")
        outcomes: list[str] = []
        deadline = time.monotonic() + timeout_s
        try:
            while len(outcomes) < expected and time.monotonic() < deadline:
                outcomes += [o.status for o in consumer.poll_once(kafka, timeout_ms=300)]
        finally:
            kafka.close(autocommit=False)
        return outcomes

    def relay(self) -> int:
        return OutboxRelay(
            self.runtime.engine, self.runtime.tables.outbox, self.producer, lock_name="rewards"
        ).publish_pending()

    def published(self, expected: int) -> list[Envelope]:
        return [Envelope.from_json(r.value) for r in read_all(self.bootstrap, self.outbound, expected=expected)]


@pytest.fixture
def rewards(postgres, kafka_bootstrap) -> Iterator[Rewards]:
    inbound, outbound = fresh_topic(kafka_bootstrap, "rewards-in"), fresh_topic(kafka_bootstrap, "rewards-out")
    base = create_runtime()
    settings = dataclasses.replace(
        base.settings,
        database_url=postgres.new_database("rewards"),
        kafka_bootstrap_servers=kafka_bootstrap,
    )
    base.engine.dispose()
    runtime = create_runtime(settings)
    runtime.catalog = catalog_on_topics({CATALOG.topic_of("reward.granted"): outbound}, others=inbound)
    runtime.migrate()  # the service's own Alembic migrations, on PostgreSQL
    producer = create_producer(kafka_bootstrap, client_id="itest-rewards")
    try:
        yield Rewards(runtime, inbound, outbound, producer, kafka_bootstrap, f"g-{uuid.uuid4().hex[:8]}")
    finally:
        producer.close(timeout=10)
        runtime.engine.dispose()


def test_an_evaluation_becomes_a_reward_on_the_topic_and_a_redelivery_changes_nothing(rewards) -> None:
    register = envelope(
        employee_record(SITI, position_kind="fungsional", grade="ahli_madya"), event_type="employee.registered"
    )
    completed = envelope(evaluation_payload(predikat="sangat_baik", nip=SITI))
    for event in (register, completed, completed):  # the last one: the same record delivered again
        rewards.send(event)
    assert rewards.consume(expected=3) == ["processed", "processed", "duplicate"]
    assert rewards.relay() == 5
    events = rewards.published(expected=5)
    assert [e.event_type for e in events] == [
        "reward.granted",
        "incentive.calculated",
        "promotion_eligibility.determined",
        "credit_points.converted",
        "training.recommended",
    ]
    assert {e.tenant for e in events} == {TENANT}
    assert all(e.payload["nip"] == SITI for e in events)
    points = events[3].payload
    assert (points["jenjang"], points["credit_points"], points["policy_version"]) == (
        "ahli_madya",
        56.25,
        "default-2026.1",
    )
    assert events[1].payload["unit_id"] == "puskesmas-sukarami"
    with rewards.runtime.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(decisions)).scalar_one() == 1


def test_a_revision_revokes_and_replaces_on_the_topic(rewards) -> None:
    rewards.send(envelope(evaluation_payload(predikat="kurang", nip=ANDI, atasan_nip=BUDI)))
    rewards.send(
        envelope(revised_payload(revision=1, previous_predikat="kurang", predikat="baik", nip=ANDI, atasan_nip=BUDI))
    )
    assert rewards.consume(expected=2) == ["processed", "processed"]
    assert rewards.relay() == 8
    events = rewards.published(expected=8)
    assert [e.event_type for e in events] == [
        "coaching.assigned",
        "incentive.calculated",
        "promotion_eligibility.determined",
        "training.recommended",
        "reward.revoked",
        "reward.granted",
        "incentive.calculated",
        "promotion_eligibility.determined",
    ]
    assert events[0].payload["coach_nip"] == BUDI
    revoked, granted = events[4].payload, events[5].payload
    assert revoked["decision_id"] == events[0].payload["coaching_id"]
    assert revoked["replaced_by"] == granted["decision_id"]
    assert granted["replaces"] == revoked["decision_id"]
    assert {e.aggregate_id for e in events[5:]} == {granted["decision_id"]}
    with rewards.runtime.engine.connect() as conn:
        active = conn.execute(select(decisions.c.decision_id, decisions.c.active).order_by(decisions.c.seq)).all()
    assert [a for _, a in active] == [False, True]


def test_pembinaan_steps_and_the_budget_register_on_postgres(rewards) -> None:
    rewards.send(envelope(employee_record(ANDI, atasan=BUDI), event_type="employee.registered"))
    rewards.send(envelope(evaluation_payload(predikat="sangat_kurang", nip=ANDI, atasan_nip=BUDI)))
    assert rewards.consume(expected=2) == ["processed", "processed"]
    coaching_id = f"coaching-eval-{ANDI}-2026-annual"
    coach = Principal(BUDI, frozenset({"pegawai", "atasan"}), TENANT)
    admin = Principal("198001012005011004", frozenset({"admin_instansi"}), TENANT)
    today = datetime.now(UTC).date()
    uow = rewards.runtime.uow
    handlers.record_check_in(uow(), coach, coaching_id, held_on=today, progress="at_risk", notes="")
    handlers.close_coaching(uow(), coach, coaching_id, outcome="not_improved", summary="Belum membaik")
    view = handlers.record_competency_test(
        uow(), admin, coaching_id, result="not_competent", reassigned_to="Staf Kecamatan", notes=""
    )
    assert (view["state"], view["details"]["competency_test"]["reassigned_to"]) == ("closed", "Staf Kecamatan")
    handlers.set_budget(uow(), admin, "puskesmas-sukarami", 2026, 10_000_000)
    config = load_config()
    register = handlers.read_register(uow(), config, admin, 2026)
    assert [(r["nip"], r["payable_amount"], r["budget_status"]) for r in register["rows"]] == [
        (ANDI, 10_000_000, "pro_rata")
    ]
    assert rewards.relay() == 7
    events = rewards.published(expected=7)
    assert [e.event_type for e in events][-3:] == [
        "coaching.check_in_recorded",
        "coaching.closed",
        "coaching.competency_tested",
    ]
    assert [e.aggregate_version for e in events[-3:]] == [2, 3, 4]
    assert events[-2].payload["next_step"] == "competency_test"
