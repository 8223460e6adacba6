"""Shared pieces of the fault tests: a stream of evaluation results, the rewards worker as a process,
and the figures every fault test prints (events, faults injected, lost, duplicated)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaConsumer
from sqlalchemy import Engine, func, select, text

from services.rewards.adapters.tables import decisions
from shared.events import Envelope
from shared.messaging.kafka import create_producer
from shared.runtime import ServiceRuntime
from tests.unit.rewards.rewards_samples import envelope, evaluation_payload

REPO = Path(__file__).resolve().parents[2]
WAIT_S = 300.0  # a guard against hanging, not a speed expectation
PREDIKAT = ("sangat_baik", "baik", "baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang")


def nip(i: int) -> str:
    """A distinct 18-digit NIP per employee of the stream."""
    return f"19850330{i:06d}1002"


def evaluations(count: int) -> list[Envelope]:
    """One annual evaluation.completed per employee, with a spread of predikat (rewards and pembinaan)."""
    return [envelope(evaluation_payload(predikat=PREDIKAT[i % len(PREDIKAT)], nip=nip(i))) for i in range(count)]


def produce(bootstrap: str, topic: str, events: list[Envelope], *, producer=None) -> None:
    own = producer is None
    producer = producer or create_producer(bootstrap, client_id="fault-test-producer")
    for event in events:
        producer.send(topic, key=event.payload["nip"].encode(), value=event.to_json())
    producer.flush(timeout=120)
    if own:
        producer.close(timeout=10)


def start_worker(inbound: str, outbound: str, group: str, db: str, bootstrap: str, log: Path) -> subprocess.Popen:
    with log.open("ab") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.rewards_worker", inbound, outbound, group, db, bootstrap],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO), "LOG_LEVEL": "WARNING"},
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )


def wait_for(predicate: Callable[[], bool], what: str, timeout_s: float = WAIT_S, poll_s: float = 0.1) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(poll_s)
    raise AssertionError(f"timed out waiting for {what}")


def count(engine: Engine, query) -> int:
    try:
        with engine.connect() as conn:
            return int(conn.execute(query).scalar_one())
    except Exception:  # noqa: BLE001 - the database may be away in an outage test
        return -1


def decisions_made(runtime: ServiceRuntime) -> int:
    return count(runtime.engine, select(func.count()).select_from(decisions))


def unpublished(runtime: ServiceRuntime) -> int:
    outbox = runtime.tables.outbox
    return count(runtime.engine, select(func.count()).select_from(outbox))


def record_outbox_writes(runtime: ServiceRuntime) -> None:
    """Keep a copy of every outbox row a transaction writes, by a trigger in that transaction: the
    relay deletes what it has sent, and a fault test compares what was committed with the topic."""
    with runtime.engine.begin() as conn:
        conn.execute(text("CREATE TABLE outbox_written (event_id varchar(36) NOT NULL, event_type text NOT NULL)"))
        conn.execute(
            text(
                "CREATE FUNCTION outbox_written_copy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "INSERT INTO outbox_written VALUES (NEW.event_id, NEW.event_type); RETURN NEW; END $$"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER outbox_written_copy AFTER INSERT ON outbox "
                "FOR EACH ROW EXECUTE FUNCTION outbox_written_copy()"
            )
        )


def outbox_written(runtime: ServiceRuntime) -> dict[str, str]:
    """Event id → event type of every outbox row committed since `record_outbox_writes` (the outbox
    refuses a second row with the same event id, so each appears once)."""
    with runtime.engine.connect() as conn:
        return dict(conn.execute(text("SELECT event_id, event_type FROM outbox_written")).all())


def read_topic_event_ids(bootstrap: str, topic: str, expected: int, timeout_s: float = 120.0) -> Counter[str]:
    """How often each event id is on the topic, read until `expected` distinct ids arrived (or the timeout)."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level="read_committed",
    )
    seen: Counter[str] = Counter()
    deadline = time.monotonic() + timeout_s
    quiet_since = time.monotonic()
    try:
        while time.monotonic() < deadline:
            batch = consumer.poll(timeout_ms=500)
            records = [r for rs in batch.values() for r in rs]
            for record in records:
                seen[Envelope.from_json(record.value).event_id] += 1
            if records:
                quiet_since = time.monotonic()
            elif len(seen) >= expected and time.monotonic() - quiet_since > 2:
                break
    finally:
        consumer.close()
    return seen


@dataclass
class Figures:
    """What a fault test reports: printed in the test output (run pytest with -s to see it)."""

    scenario: str
    events: int
    faults: int
    lost: int = 0
    duplicated: int = 0
    extra: dict[str, object] = field(default_factory=dict)

    def report(self) -> str:
        parts = [f"events={self.events}", f"faults={self.faults}", f"lost={self.lost}", f"duplicated={self.duplicated}"]
        parts += [f"{k}={v}" for k, v in self.extra.items()]
        line = f"FAULT FIGURES [{self.scenario}] " + " ".join(parts)
        print(line)
        return line
