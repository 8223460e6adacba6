"""E-mail: a notice reaches a real local SMTP server in the person's language; failures are retried
with backoff, logged per attempt, announced, visible to the admin and re-sendable."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from services.notifications.adapters.tables import deliveries, delivery_attempts, eventing
from services.notifications.bootstrap import create_dispatcher
from services.notifications.settings import NotificationSettings, RetryPolicy, SmtpSettings
from tests.unit.notifications.local_servers import free_port, smtp_server
from tests.unit.notifications.notifications_samples import EMPLOYEE, TENANT, employee, envelope

ADDRESS = "siti.aminah@palembang.go.id"


def options(port: int, max_attempts: int = 3) -> NotificationSettings:
    return NotificationSettings(
        smtp=SmtpSettings(host="127.0.0.1", port=port, starttls=False, sender="Kinerja <kinerja@palembang.go.id>"),
        email_retry=RetryPolicy(max_attempts=max_attempts, base_delay_s=60),
    )


def table(runtime, t):
    with runtime.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(t)).mappings()]


def announced(runtime, event_type):
    return [json.loads(r["value"])["payload"] for r in table(runtime, eventing.outbox) if r["event_type"] == event_type]


@pytest.fixture
def reward_for_siti(consume):
    consume(envelope("employee.registered", **employee(EMPLOYEE, "Siti Aminah", email=ADDRESS)))
    consume(envelope("reward.granted"))


def test_a_notice_is_mailed_to_a_real_smtp_server(runtime, reward_for_siti) -> None:
    with smtp_server() as (mailbox, port):
        counts = create_dispatcher(runtime, options(port)).run_once()
    assert counts == {"delivered": 1, "retry": 0, "failed": 0}
    (message,) = mailbox.messages
    assert message["To"] == ADDRESS
    assert message["From"] == "Kinerja <kinerja@palembang.go.id>"
    assert message["Subject"] == "Tindak lanjut kinerja tahun 2026: Sangat Baik"
    body = message.get_content()
    assert "Siti Aminah" in body
    assert "100%" in body
    assert EMPLOYEE not in body
    (row,) = table(runtime, deliveries)
    assert (row["status"], row["attempts"], row["channel"]) == ("delivered", 1, "email")
    email_events = [p for p in announced(runtime, "notice.delivered") if p["channel"] == "email"]
    assert email_events
    assert email_events[0]["delivery_id"] == row["delivery_id"]


def test_the_mail_is_in_the_language_the_person_chose(runtime, client, auth, consume) -> None:
    consume(envelope("employee.registered", **employee(EMPLOYEE, "Siti Aminah", email=ADDRESS)))
    assert client.put("/api/v1/preferences", json={"language": "en"}, headers=auth()).status_code == 200
    consume(envelope("reward.granted"))
    with smtp_server() as (mailbox, port):
        create_dispatcher(runtime, options(port)).run_once()
    assert mailbox.messages[0]["Subject"] == "Follow-up of your performance for year 2026: Outstanding"
    # The inbox also answers in English by default now.
    (notice,) = client.get("/api/v1/notices", headers=auth()).json
    assert notice["title"].startswith("Follow-up")
    assert client.get("/api/v1/notices?lang=id", headers=auth()).json[0]["title"].startswith("Tindak lanjut")


def test_no_mail_for_a_category_the_person_switched_off_or_without_an_address(runtime, client, auth, consume) -> None:
    consume(envelope("employee.registered", **employee(EMPLOYEE, "Siti Aminah", email=ADDRESS)))
    put = client.put("/api/v1/preferences", json={"channels": {"reward": ["in_app"]}}, headers=auth())
    assert put.json["channels"]["reward"] == ["in_app"]
    assert put.json["channels"]["plan"] == ["in_app", "email"]
    consume(envelope("reward.granted"))
    consume(envelope("plan.approved"))
    rows = table(runtime, deliveries)
    assert [r["source_event_type"] for r in rows] == ["plan.approved"]
    assert len(client.get("/api/v1/notices", headers=auth()).json) == 2  # the inbox keeps both
    consume(envelope("employee.updated", **employee(EMPLOYEE, "Siti Aminah", email=None), changed=["email"]))
    consume(envelope("plan.returned"))
    assert len(table(runtime, deliveries)) == 1


def test_a_server_that_is_down_is_retried_with_backoff_then_fails_visibly(
    runtime, client, auth, reward_for_siti
) -> None:
    dead_port = free_port()  # nothing listens here
    dispatcher = create_dispatcher(runtime, options(dead_port, max_attempts=3))
    t0 = datetime.now(UTC)
    assert dispatcher.run_once(t0) == {"delivered": 0, "retry": 1, "failed": 0}
    (row,) = table(runtime, deliveries)
    assert row["status"] == "pending"
    assert row["attempts"] == 1
    assert dispatcher.run_once(t0 + timedelta(seconds=30)) == {"delivered": 0, "retry": 0, "failed": 0}  # not due
    assert dispatcher.run_once(t0 + timedelta(seconds=61)) == {"delivered": 0, "retry": 1, "failed": 0}
    assert dispatcher.run_once(t0 + timedelta(seconds=61 + 119)) == {"delivered": 0, "retry": 0, "failed": 0}
    assert dispatcher.run_once(t0 + timedelta(seconds=61 + 121)) == {"delivered": 0, "retry": 0, "failed": 1}
    attempts = table(runtime, delivery_attempts)
    assert [a["outcome"] for a in attempts] == ["retry", "retry", "failed"]
    assert all("Connection" in (a["error"] or "") or "refused" in (a["error"] or "") for a in attempts)
    (failed_event,) = announced(runtime, "notice.failed")
    assert failed_event["attempts"] == 3
    assert failed_event["channel"] == "email"

    admin = auth(roles=("admin_instansi",))
    listed = client.get("/api/v1/deliveries?status=failed", headers=admin).json
    assert [d["delivery_id"] for d in listed] == [row["delivery_id"]]
    assert "Connection refused" in listed[0]["last_error"]
    assert listed[0]["attempts"] == 3
    detail = client.get(f"/api/v1/deliveries/{row['delivery_id']}", headers=admin).json
    assert [a["outcome"] for a in detail["attempt_log"]] == ["retry", "retry", "failed"]
    # Employees and other instansi's admins do not see it.
    assert client.get("/api/v1/deliveries", headers=auth()).status_code == 403
    assert (
        client.get(
            f"/api/v1/deliveries/{row['delivery_id']}", headers=auth(roles=("admin_instansi",), tenant="3674")
        ).status_code
        == 404
    )

    resent = client.post(f"/api/v1/deliveries/{row['delivery_id']}/resend", headers=admin)
    assert resent.status_code == 200
    assert resent.json["status"] == "pending"
    with smtp_server() as (mailbox, port):
        counts = create_dispatcher(runtime, options(port)).run_once()
    assert counts["delivered"] == 1
    assert len(mailbox.messages) == 1
    again = client.post(f"/api/v1/deliveries/{row['delivery_id']}/resend", headers=admin)
    assert again.status_code == 409  # only a failed delivery is re-sent


def test_a_refused_recipient_fails_at_once(runtime, reward_for_siti) -> None:
    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, options):
            return "550 5.1.1 mailbox unavailable"

    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        counts = create_dispatcher(runtime, options(port, max_attempts=5)).run_once()
    finally:
        controller.stop()
    assert counts == {"delivered": 0, "retry": 0, "failed": 1}
    (failed,) = announced(runtime, "notice.failed")
    assert "550" in failed["error"]


def test_an_event_delivered_twice_mails_once(runtime, consume) -> None:
    consume(envelope("employee.registered", **employee(EMPLOYEE, "Siti Aminah", email=ADDRESS)))
    event = envelope("reward.granted")
    consume(event)
    consume(event)
    (row,) = table(runtime, deliveries)
    assert row["tenant"] == TENANT


def test_without_an_smtp_server_configured_mails_wait_instead_of_failing(runtime, reward_for_siti) -> None:
    counts = create_dispatcher(runtime, NotificationSettings()).run_once()
    assert counts == {"delivered": 0, "retry": 0, "failed": 0}
    (row,) = table(runtime, deliveries)
    assert (row["status"], row["attempts"]) == ("pending", 0)
    with smtp_server() as (mailbox, port):
        assert create_dispatcher(runtime, options(port)).run_once()["delivered"] == 1
    assert len(mailbox.messages) == 1
