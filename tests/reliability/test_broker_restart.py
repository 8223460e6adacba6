"""The broker stopped and restarted mid-stream (a private single-node KRaft broker, never the shared
one): the rewards worker's consumer and outbox relay back off while it is away and carry on by
themselves when it is back; every evaluation is decided once and every outbox event reaches the topic."""

from __future__ import annotations

import signal
import time
import uuid

import pytest
from sqlalchemy import func, select

from deploy.local.kafka_broker import KafkaBroker
from services.rewards.adapters.tables import decisions
from tests.integration.kafka_tools import fresh_topic
from tests.reliability import fault_tools as ft
from tests.reliability.rewards_worker import runtime_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EVENTS = 800
OUTAGE_S = 8.0


def test_relay_and_consumer_recover_by_themselves_after_the_broker_restarts(postgres, tmp_path) -> None:
    broker = KafkaBroker(data_dir=tmp_path / "kafka", log_file=tmp_path / "kafka.log", heap="384m").start()
    worker = None
    try:
        bootstrap = broker.bootstrap_servers
        inbound, outbound = fresh_topic(bootstrap, "restart-in"), fresh_topic(bootstrap, "restart-out")
        group = f"restart-{uuid.uuid4().hex[:8]}"
        db = postgres.new_database("restart")
        runtime = runtime_for(db, bootstrap, inbound, outbound)
        runtime.migrate()
        ft.record_outbox_writes(runtime)
        ft.produce(bootstrap, inbound, ft.evaluations(EVENTS))
        worker = ft.start_worker(inbound, outbound, group, db, bootstrap, tmp_path / "worker.log")

        ft.wait_for(lambda: ft.decisions_made(runtime) >= EVENTS // 5, "the worker to be mid-stream", poll_s=0.01)
        broker.stop()  # same data dir and ports: the restart keeps the log, like a broker pod rescheduled
        at_stop = ft.decisions_made(runtime)
        time.sleep(OUTAGE_S)
        during = ft.decisions_made(runtime)
        backlog_during = ft.unpublished(runtime)
        broker.start()

        ft.wait_for(lambda: ft.decisions_made(runtime) >= EVENTS, "every evaluation to be decided after the restart")
        ft.wait_for(lambda: ft.unpublished(runtime) == 0, "the relay to drain the outbox after the restart")
        assert worker.poll() is None, "the worker must survive the outage, not exit"
        with runtime.engine.connect() as conn:
            rows = conn.execute(select(func.count()).select_from(decisions)).scalar_one()
            decided = conn.execute(select(func.count(func.distinct(decisions.c.evaluation_id)))).scalar_one()
        outbox_ids = set(ft.outbox_written(runtime))  # the relay deleted what it sent: the trigger's copy
        on_topic = ft.read_topic_event_ids(bootstrap, outbound, expected=len(outbox_ids))
        runtime.engine.dispose()
        lost = (EVENTS - decided) + len(outbox_ids - set(on_topic))
        ft.Figures(
            "broker restart",
            events=EVENTS,
            faults=1,
            lost=lost,
            duplicated=rows - decided,
            extra={
                "outage_s": OUTAGE_S,
                "decided_when_stopped": at_stop,
                "decided_during_outage": during - at_stop,
                "outbox_waiting_during_outage": backlog_during,
                "outbox_events": len(outbox_ids),
                "topic_redeliveries_same_event_id": sum(n - 1 for n in on_topic.values()),
            },
        ).report()
        assert at_stop < EVENTS, "the broker should stop mid-stream"
        assert rows == decided == EVENTS
        assert set(on_topic) == outbox_ids
        assert lost == 0
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(60)
            except Exception:  # noqa: BLE001
                worker.kill()
        broker.stop()
