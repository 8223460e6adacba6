"""Poison messages interleaved with good ones on the real broker, through the rewards service's real
handlers on PostgreSQL: every good event is processed, every poison one lands on `<topic>.dlq` with a
reason, the consumer never stops; after the fix, `python -m deploy.ops dlq replay` brings the ones a
bug refused back and they are processed once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid

import pytest
from sqlalchemy import func, select

from services.rewards.adapters.tables import decisions
from services.rewards.bootstrap import event_handlers
from shared.contracts import dlq_topic
from shared.messaging.consumer import IdempotentConsumer
from shared.messaging.kafka import create_consumer, create_producer
from tests.integration.kafka_tools import fresh_topic, read_all
from tests.reliability import fault_tools as ft
from tests.reliability.rewards_worker import runtime_for

pytestmark = pytest.mark.integration

GOOD = 300
# The consumer's event size limit in this test: the broker refuses messages over 1 MiB (its default), which
# is also the consumer's default, so the test lowers it to send an oversized event through a stock broker.
LIMIT = 64 * 1024
BUGGY_EVERY = 50  # a handler bug refuses these good events until it is fixed


def _poison(i: int, good: bytes) -> tuple[str, bytes | None]:
    """A bad message of one of the kinds a topic can carry; the reason the DLQ must give."""
    event = json.loads(good)
    kinds = [
        ("not JSON", b"{not json"),
        ("no value", None),
        ("not an object", b"[1, 2, 3]"),
        ("wrong type", json.dumps({**event, "payload": {**event["payload"], "predikat": 123}}).encode()),
        ("missing field", json.dumps({**event, "payload": {k: v for k, v in event["payload"].items() if k != "nip"}})),
        ("unknown type", json.dumps({**event, "event_type": "evaluation.exploded"}).encode()),
        ("bad envelope", json.dumps({**event, "occurred_at": "yesterday"}).encode()),
        ("oversized", json.dumps({**event, "padding": "x" * (LIMIT + 10)}).encode()),
    ]
    kind, value = kinds[i % len(kinds)]
    return kind, value.encode() if isinstance(value, str) else value


def test_poison_goes_to_the_dlq_with_reasons_and_a_replay_after_the_fix_processes_the_rest(
    postgres, kafka_bootstrap, monkeypatch
) -> None:
    inbound, outbound = fresh_topic(kafka_bootstrap, "poison-in"), fresh_topic(kafka_bootstrap, "poison-out")
    runtime = runtime_for(postgres.new_database("poison"), kafka_bootstrap, inbound, outbound)
    runtime.migrate()
    group = f"poison-{uuid.uuid4().hex[:8]}"
    stream = ft.evaluations(GOOD)
    producer = create_producer(kafka_bootstrap, client_id="poison-test")
    kinds: list[str] = []
    for i, event in enumerate(stream):
        producer.send(inbound, key=event.payload["nip"].encode(), value=event.to_json())
        if i % 5 == 0:  # one poison message after every fifth good one
            kind, value = _poison(len(kinds), event.to_json())
            kinds.append(kind)
            producer.send(inbound, key=event.payload["nip"].encode(), value=value)
    producer.flush(60)
    buggy = {e.payload["nip"] for i, e in enumerate(stream) if i % BUGGY_EVERY == 7}

    handlers = dict(event_handlers(runtime))
    real = handlers["evaluation.completed"]

    def bug(uow, envelope) -> None:
        if envelope.payload["nip"] in buggy:
            raise RuntimeError("simulated bug in the handler")
        real(uow, envelope)

    def consume(expected: int, handler) -> list[str]:
        consumer = IdempotentConsumer(
            name=group,
            catalog=runtime.catalog,
            handlers={**handlers, "evaluation.completed": handler},
            uow_factory=runtime.uow,
            dlq_producer=producer,
            sleep=lambda _s: None,
            max_event_bytes=LIMIT,
        )
        kafka = create_consumer(kafka_bootstrap, group, [inbound], client_id="poison-test")
        outcomes: list[str] = []
        deadline = time.monotonic() + 120
        try:
            while len(outcomes) < expected and time.monotonic() < deadline:
                outcomes += [o.status for o in consumer.poll_once(kafka, timeout_ms=300)]
        finally:
            kafka.close(autocommit=False)
        return outcomes

    total = GOOD + len(kinds)
    outcomes = consume(total, bug)
    assert len(outcomes) == total
    dead = read_all(kafka_bootstrap, dlq_topic(inbound), expected=len(kinds) + len(buggy))
    reasons = [dict(r.headers)["dlq.error"].decode() for r in dead]
    assert outcomes.count("dead_lettered") == len(dead) == len(kinds) + len(buggy)
    assert outcomes.count("processed") == GOOD - len(buggy)
    assert sum("event too large" in r for r in reasons) == kinds.count("oversized")
    assert sum("simulated bug" in r for r in reasons) == len(buggy)
    assert all(r.startswith(("invalid event", "event too large", "handler failed")) for r in reasons), reasons
    assert all(dict(r.headers)["dlq.source.topic"].decode() == inbound for r in dead)

    # The fix is deployed; the operator replays the dead letters. Poison stays poison (dead-lettered again),
    # the events the bug refused are processed now, and nothing is processed twice.
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "PYTHONPATH": str(ft.REPO)}
    replay = subprocess.run(
        [sys.executable, "-m", "deploy.ops", "--json", "dlq", "replay", inbound],
        cwd=ft.REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert replay.returncode == 0, replay.stderr
    assert len(json.loads(replay.stdout)) == len(dead)
    after = consume(len(dead), real)
    assert after.count("processed") == len(buggy)
    assert after.count("dead_lettered") == len(kinds)
    with runtime.engine.connect() as conn:
        decided = conn.execute(select(func.count(func.distinct(decisions.c.evaluation_id)))).scalar_one()
        rows = conn.execute(select(func.count()).select_from(decisions)).scalar_one()
    producer.close(10)
    runtime.engine.dispose()
    ft.Figures(
        "poison + replay",
        events=total,
        faults=len(kinds) + len(buggy),
        lost=GOOD - decided,
        duplicated=rows - decided,
        extra={"poison": len(kinds), "bug_refused_then_replayed": len(buggy), "kinds": len(set(kinds))},
    ).report()
    assert rows == decided == GOOD
