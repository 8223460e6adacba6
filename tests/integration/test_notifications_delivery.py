"""Notifications against real PostgreSQL and Kafka: events read from a topic become an inbox notice,
an e-mail on a real SMTP server and a signed webhook on a local HTTP server; a redelivery adds
nothing; two copies computing reminders at the same moment send each one once."""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from services.notifications.adapters.tables import deliveries, notices, reminders_sent
from services.notifications.adapters.template_files import load_templates
from services.notifications.bootstrap import create_app, create_dispatcher, create_runtime, event_handlers
from services.notifications.domain.reminders import ReminderPolicy
from services.notifications.service_layer.reminders import send_due_reminders
from services.notifications.settings import NotificationSettings, RetryPolicy, SmtpSettings
from shared.contracts import CATALOG
from shared.messaging.consumer import IdempotentConsumer
from shared.messaging.kafka import create_consumer, create_producer
from shared.runtime import ServiceRuntime
from shared.webhook_signature import verify_signature
from tests.integration.kafka_tools import fresh_topic
from tests.unit.notifications.local_servers import smtp_server, webhook_receiver
from tests.unit.notifications.notifications_samples import ATASAN, EMPLOYEE, employee, envelope
from tests.unit.service_harness import bearer

pytestmark = pytest.mark.integration


@pytest.fixture
def runtime(postgres) -> Iterator[ServiceRuntime]:
    base = create_runtime()
    settings = dataclasses.replace(base.settings, database_url=postgres.new_database("notifications"))
    base.engine.dispose()
    rt = create_runtime(settings)
    rt.migrate()
    yield rt
    rt.engine.dispose()


def count(runtime, table) -> int:
    with runtime.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def consume_topic(runtime, bootstrap: str, topic: str, expected: int, group: str, timeout_s: float = 60.0):
    producer = create_producer(bootstrap, client_id="itest-dlq")
    consumer = IdempotentConsumer(
        name="kinerja-notifications",
        catalog=CATALOG,
        handlers=event_handlers(runtime),
        uow_factory=runtime.uow,
        dlq_producer=producer,
        sleep=lambda _s: None,
    )
    kafka_consumer = create_consumer(bootstrap, group, [topic], client_id="itest")
    outcomes = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(outcomes) < expected and time.monotonic() < deadline:
            outcomes += consumer.poll_once(kafka_consumer, timeout_ms=300)
    finally:
        kafka_consumer.close(autocommit=False)
        producer.close(timeout=10)
    return outcomes


def test_from_a_reward_event_on_kafka_to_inbox_email_and_webhook(runtime, kafka_bootstrap) -> None:
    topic = fresh_topic(kafka_bootstrap, "notifications")
    options = NotificationSettings(webhook_allow_http_localhost=True, webhook_retry=RetryPolicy(3, 1))
    client = create_app(runtime, options).test_client()
    agency = bearer(runtime, "199912312020121001", ["agency"], "1671")
    with smtp_server() as (mailbox, smtp_port), webhook_receiver() as receiver:
        registered = client.post(
            "/api/v1/webhooks", json={"url": receiver.url, "event_types": ["reward.granted"]}, headers=agency
        )
        assert registered.status_code == 201
        secret = registered.json["secret"]

        events = [
            envelope("employee.registered", **employee(EMPLOYEE, "Siti Aminah", email="siti@palembang.go.id")),
            envelope("reward.granted"),
            envelope("reward.granted", tenant="3674"),  # another instansi: no webhook for this agency
        ]
        producer = create_producer(kafka_bootstrap, client_id="itest")
        for event in events:
            producer.send(topic, key=event.payload["nip"].encode(), value=event.to_json())
        producer.flush(timeout=30)
        producer.close(timeout=10)

        outcomes = consume_topic(runtime, kafka_bootstrap, topic, expected=3, group=f"g-{uuid.uuid4().hex[:8]}")
        assert [o.status for o in outcomes] == ["processed"] * 3
        assert count(runtime, notices) == 2  # one per reward event (each instansi its own)
        # A new consumer group re-reads everything: nothing is added.
        again = consume_topic(runtime, kafka_bootstrap, topic, expected=3, group=f"g-{uuid.uuid4().hex[:8]}")
        assert [o.status for o in again] == ["duplicate"] * 3
        assert count(runtime, notices) == 2
        assert count(runtime, deliveries) == 2  # one e-mail (Siti of 1671 has an address), one webhook

        smtp = SmtpSettings(host="127.0.0.1", port=smtp_port, starttls=False)
        counts = create_dispatcher(runtime, dataclasses.replace(options, smtp=smtp)).run_once()
        assert counts == {"delivered": 2, "retry": 0, "failed": 0}

    inbox = client.get("/api/v1/notices", headers=bearer(runtime, EMPLOYEE, ["pegawai"], "1671")).json
    assert [n["title"] for n in inbox] == ["Tindak lanjut kinerja tahun 2026: Sangat Baik"]
    (mail,) = mailbox.messages
    assert mail["To"] == "siti@palembang.go.id"
    assert mail["Subject"] == inbox[0]["title"]
    (hook,) = receiver.received
    assert hook.headers["X-Kinerja-Event-Id"] == events[1].event_id
    assert verify_signature(secret, hook.body, hook.headers["X-Kinerja-Signature"], hook.headers["X-Kinerja-Timestamp"])


def test_two_copies_computing_reminders_at_once_send_each_once(runtime) -> None:
    """Two threads (two worker copies) compute and send the same due reminders concurrently."""
    from datetime import UTC, datetime

    handlers = event_handlers(runtime)
    for event in [
        envelope("employee.registered", **employee(EMPLOYEE, "Siti Aminah")),
        envelope("employee.registered", **employee(ATASAN, "Budi Santoso", atasan_nip=None)),
        envelope("plan.submitted", occurred_at=datetime(2027, 1, 3, 2, tzinfo=UTC), period_year=2027),
        envelope("evaluation.completed", occurred_at=datetime(2027, 1, 20, 3, tzinfo=UTC)),
    ]:
        with runtime.uow() as uow:
            handlers[event.event_type](uow, event)
            uow.commit()

    templates, policy, now = load_templates(), ReminderPolicy(), datetime(2027, 1, 31, 2, tzinfo=UTC)
    barrier = threading.Barrier(2)
    results: list[list[str]] = []

    def copy() -> None:
        barrier.wait()
        results.append(send_due_reminders(runtime.uow, templates, policy, now))

    threads = [threading.Thread(target=copy) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    sent = [key for result in results for key in result]
    assert len(results) == 2
    assert sorted(k.split(":")[0] for k in sent) == ["appeal_window", "pending_approval", "skp_due"]
    assert len(set(sent)) == len(sent)  # no key sent by both copies
    assert count(runtime, reminders_sent) == 3
    with runtime.engine.connect() as conn:
        reminder_notices = conn.execute(
            select(func.count()).select_from(notices).where(notices.c.category == "reminder")
        ).scalar_one()
    assert reminder_notices == 3
    assert send_due_reminders(runtime.uow, templates, policy, now) == []
