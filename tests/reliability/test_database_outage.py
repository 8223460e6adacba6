"""Rewards' PostgreSQL unavailable for a while (a private server, stopped and started again with its
data): the API answers 503 in the error format with Retry-After and /readyz says not ready; the worker
backs off instead of dead-lettering or exiting and resumes when the database is back; nothing is lost."""

from __future__ import annotations

import shutil
import signal
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from deploy.local.postgres_server import PostgresServer
from services.rewards.adapters.tables import decisions
from services.rewards.bootstrap import create_app
from shared.contracts import dlq_topic
from tests.integration.kafka_tools import fresh_topic, read_all
from tests.reliability import fault_tools as ft
from tests.reliability.rewards_worker import runtime_for
from tests.unit.service_harness import bearer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EVENTS = 600
OUTAGE_S = 8.0
ADMIN = "198001012005011004"


def test_the_api_answers_503_and_the_worker_resumes_after_a_database_outage(kafka_bootstrap, tmp_path) -> None:
    # The data dir must be reachable by the postgres OS user when we run as root: not under pytest's 0700 tmp.
    home = Path(tempfile.mkdtemp(prefix="kinerja-outage-", dir="/tmp"))
    home.chmod(0o755)
    server = PostgresServer(data_dir=home / "data").start()
    worker = None
    try:
        db = server.create_database("rewards_outage")
        inbound, outbound = fresh_topic(kafka_bootstrap, "outage-in"), fresh_topic(kafka_bootstrap, "outage-out")
        group = f"outage-{uuid.uuid4().hex[:8]}"
        runtime = runtime_for(db, kafka_bootstrap, inbound, outbound)
        runtime.migrate()
        ft.record_outbox_writes(runtime)
        client = create_app(runtime).test_client()
        headers = bearer(runtime, ADMIN, ["admin_instansi"], "1671")
        assert client.get("/api/v1/decisions", headers=headers).status_code == 200
        stream = ft.evaluations(EVENTS)
        ft.produce(kafka_bootstrap, inbound, stream[: EVENTS // 2])
        log = tmp_path / "worker.log"
        worker = ft.start_worker(inbound, outbound, group, db, kafka_bootstrap, log)

        ft.wait_for(lambda: ft.decisions_made(runtime) >= EVENTS // 6, "the worker to be mid-stream", poll_s=0.01)
        server.stop()
        # The rest arrives while the database is away: however fast the worker got through the first
        # half, it has events in hand that it cannot commit, and must back off and wait.
        ft.produce(kafka_bootstrap, inbound, stream[EVENTS // 2 :])
        started = time.monotonic()
        answers = []
        while time.monotonic() - started < OUTAGE_S:
            response = client.get("/api/v1/decisions?lang=en", headers=headers)
            answers.append((response.status_code, response.get_json(), response.headers.get("Retry-After")))
            ready = client.get("/readyz")
            time.sleep(1.0)
        assert ready.status_code == 503
        assert ready.get_json()["database"] == "unreachable"
        assert {status for status, _, _ in answers} == {503}
        body = answers[-1][1]
        assert body["error"]["status"] == 503
        assert body["error"]["code"]
        assert body["error"]["message"]
        assert answers[-1][2] == "5"
        assert worker.poll() is None, "the worker must wait for its database, not exit"
        server.start()  # same data dir and port

        ft.wait_for(lambda: ft.decisions_made(runtime) >= EVENTS, "every evaluation to be decided after the outage")
        ft.wait_for(lambda: ft.unpublished(runtime) == 0, "the outbox to drain after the outage")
        assert client.get("/api/v1/decisions", headers=headers).status_code == 200
        assert client.get("/readyz").status_code == 200
        with runtime.engine.connect() as conn:
            rows = conn.execute(select(func.count()).select_from(decisions)).scalar_one()
            decided = conn.execute(select(func.count(func.distinct(decisions.c.evaluation_id)))).scalar_one()
        outbox_ids = set(ft.outbox_written(runtime))  # the relay deleted what it sent: the trigger's copy
        on_topic = ft.read_topic_event_ids(kafka_bootstrap, outbound, expected=len(outbox_ids))
        dead = read_all(kafka_bootstrap, dlq_topic(inbound), expected=0, timeout_s=5)
        runtime.engine.dispose()
        backoffs = log.read_text().count("database unavailable, retrying")
        ft.Figures(
            "database outage",
            events=EVENTS,
            faults=1,
            lost=(EVENTS - decided) + len(outbox_ids - set(on_topic)),
            duplicated=rows - decided,
            extra={
                "outage_s": OUTAGE_S,
                "api_503_answers": len(answers),
                "worker_backoffs": backoffs,
                "dead_lettered": len(dead),
            },
        ).report()
        assert rows == decided == EVENTS
        assert set(on_topic) == outbox_ids
        assert dead == []  # an outage is not the events' fault
        assert backoffs >= 1
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(60)
            except Exception:  # noqa: BLE001
                worker.kill()
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
