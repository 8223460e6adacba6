"""Graceful shutdown against the real broker and PostgreSQL: a worker process stopped with
SIGTERM mid-stream finishes its batch, commits its offsets and exits 0; restarted, it processes
the rest, and every event has taken effect exactly once. The worker's /metrics counts them.
gunicorn, run with the flags the services use, finishes an in-flight request after SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from kafka import KafkaAdminClient
from sqlalchemy import MetaData, func, select

from shared.contracts.planning import PlanReturnedV1
from shared.events import Envelope, EventCatalog, EventDefinition
from shared.messaging.kafka import create_producer
from shared.storage.database import create_db_engine
from tests.deploy import graceful_worker
from tests.integration.kafka_tools import fresh_topic

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
EVENTS = 400
WAIT_S = 120.0  # a guard against hanging, not a speed expectation


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _produce(bootstrap: str, topic: str, count: int) -> None:
    catalog = EventCatalog([EventDefinition("plan.returned", 1, PlanReturnedV1, topic, "nip", "test copy")])
    producer = create_producer(bootstrap, client_id="graceful-producer")
    for i in range(count):
        nip = f"1985033020100110{i % 97:02d}"
        envelope = catalog.prepare(
            Envelope.new(
                event_type="plan.returned",
                schema_version=1,
                producer="planning",
                tenant="1671",
                aggregate_id=f"skp-{nip}-2026",
                aggregate_version=i + 1,
                payload={
                    "skp_id": f"skp-{nip}-2026",
                    "nip": nip,
                    "employee_name": "Siti",
                    "period_year": 2026,
                    "returned_by": "197001012000031001",
                    "reason": f"revisi {i}",
                },
                correlation_id=str(uuid.uuid4()),
            )
        )
        producer.send(topic, key=nip.encode(), value=envelope.to_json())
    producer.flush(timeout=60)
    producer.close(timeout=10)


def _start(topic: str, group: str, db: str, bootstrap: str, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.deploy.graceful_worker", topic, group, db, bootstrap, str(port)],
        cwd=REPO,
        # Batches of 20 (a transaction each) so that SIGTERM lands mid-stream, with batches in hand.
        env={**os.environ, "PYTHONPATH": str(REPO), "CONSUMER_BATCH_SIZE": "20"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for(predicate, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _committed(bootstrap: str, group: str) -> int:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="graceful-test")
    try:
        offsets = admin.list_group_offsets([group]).get(group, {})
    finally:
        admin.close()
    return sum(max(0, om.offset) for om in offsets.values())


def _stop(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=WAIT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return process.returncode, err.decode(errors="replace")


def test_sigterm_finishes_the_batch_commits_and_a_restart_processes_each_event_once(postgres, kafka_bootstrap):
    topic = fresh_topic(kafka_bootstrap, "graceful")
    group = f"graceful-{uuid.uuid4().hex[:8]}"
    db = postgres.new_database("graceful")
    _produce(kafka_bootstrap, topic, EVENTS)

    engine = create_db_engine(db)
    metadata = MetaData()
    effects = graceful_worker.schema(metadata)

    def effects_count() -> int:
        try:
            with engine.connect() as conn:
                return conn.execute(select(func.count()).select_from(effects)).scalar_one()
        except Exception:  # noqa: BLE001 - the worker creates the table
            return 0

    port = _free_port()
    first = _start(topic, group, db, kafka_bootstrap, port)
    _wait_for(lambda: effects_count() >= 40, "the first worker to process some events")
    code, err = _stop(first)
    assert code == 0, err
    assert "worker graceful stopped" in err
    processed_first = effects_count()
    assert 0 < processed_first < EVENTS, "SIGTERM should land mid-stream"
    # It finished its batch and committed it: nothing processed is left uncommitted.
    assert _committed(kafka_bootstrap, group) == processed_first

    port = _free_port()
    second = _start(topic, group, db, kafka_bootstrap, port)
    _wait_for(lambda: effects_count() >= EVENTS, "the restarted worker to catch up")
    _wait_for(lambda: _committed(kafka_bootstrap, group) == EVENTS, "the last offsets to be committed")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        metrics = response.read().decode()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as response:
        assert response.status == 200
    code, err = _stop(second)
    assert code == 0, err

    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(effects)).scalar_one()
        distinct = conn.execute(select(func.count(func.distinct(effects.c.event_id)))).scalar_one()
    engine.dispose()
    assert total == distinct == EVENTS  # every event took effect, none twice
    line = f'kinerja_events_consumed_total{{consumer="{group}",event_type="plan.returned",outcome="processed"}}'
    counted = next(float(m.split()[-1]) for m in metrics.splitlines() if m.startswith(line))
    assert counted == EVENTS - processed_first  # this process's share, counted by /metrics
    lag = [m for m in metrics.splitlines() if m.startswith("kinerja_consumer_lag{") and f'consumer="{group}"' in m]
    assert lag, "consumer lag is exported per partition"
    assert all(f'topic="{topic}"' in m for m in lag)


SLOW_APP = """
import time
from flask import Flask
app = Flask("slow")

@app.get("/slow")
def slow():
    time.sleep(2)
    return "done"

@app.get("/healthz")
def healthz():
    return "ok"
"""


def test_gunicorn_drains_in_flight_requests_on_sigterm(tmp_path):
    (tmp_path / "slow_app.py").write_text(SLOW_APP)
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # The flags shared.runtime.run_service_cli passes (graceful timeout 20 s).
    server = subprocess.Popen(
        [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "1", "--graceful-timeout", "20", "slow_app:app"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(lambda: _ok(f"http://127.0.0.1:{port}/healthz"), "gunicorn to serve")
        result: dict[str, object] = {}

        def call() -> None:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/slow", timeout=30) as response:
                result["status"], result["body"] = response.status, response.read()

        client = threading.Thread(target=call)
        client.start()
        time.sleep(0.5)  # the request is in flight
        server.send_signal(signal.SIGTERM)
        client.join(timeout=WAIT_S)
        assert result == {"status": 200, "body": b"done"}
        assert server.wait(timeout=WAIT_S) == 0
        assert not _ok(f"http://127.0.0.1:{port}/healthz")  # and it stopped accepting
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(10)


def _ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback server
            return response.status == 200
    except OSError:
        return False
