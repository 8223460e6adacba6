"""Agency webhooks: registration rules, the secret shown once, signed deliveries to a real local
HTTP server, retries with every attempt recorded, and never another instansi's events."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from services.notifications.adapters.tables import deliveries, notices
from services.notifications.bootstrap import create_app, create_dispatcher, event_handlers
from services.notifications.settings import NotificationSettings, RetryPolicy
from shared.contracts import CATALOG
from shared.events import Envelope
from shared.webhook_signature import verify_signature
from tests.unit.notifications.local_servers import webhook_receiver
from tests.unit.notifications.notifications_samples import EMPLOYEE, envelope, wire_envelope, worker_consumer
from tests.unit.shared.conftest import FakeProducer, FakeRecord

AGENCY = "199912312020121001"  # the agency token's subject
DEV = NotificationSettings(
    webhook_allow_http_localhost=True, webhook_retry=RetryPolicy(max_attempts=3, base_delay_s=10)
)


@pytest.fixture
def dev_client(runtime):
    return create_app(runtime, DEV).test_client()


@pytest.fixture
def agency(auth):
    return lambda tenant="1671", nip=AGENCY: auth(nip=nip, roles=("agency",), tenant=tenant)


def register(client, headers, url, event_types=("reward.granted",)):
    return client.post("/api/v1/webhooks", json={"url": url, "event_types": list(event_types)}, headers=headers)


def test_only_https_unless_localhost_is_allowed(client, dev_client, agency, auth) -> None:
    assert register(client, agency(), "http://127.0.0.1:9/hook").status_code == 409
    assert register(dev_client, agency(), "http://example.org/hook").status_code == 409
    assert register(dev_client, agency(), "ftp://example.org/hook").status_code == 409
    assert register(dev_client, agency(), "https://user:pw@example.org/hook").status_code == 409
    ok = register(client, agency(), "https://bpkad.palembang.go.id/kinerja")
    assert ok.status_code == 201
    assert ok.json["secret"].startswith("whsec_")
    assert register(dev_client, agency(), "http://localhost:8080/hook").status_code == 201
    bad_type = register(client, agency(), "https://x.go.id/h", ["reward.granted", "salary.paid"])
    assert bad_type.status_code == 409
    assert "salary.paid" in bad_type.get_data(as_text=True)
    # People are not agencies.
    assert register(client, auth(), "https://x.go.id/h").status_code == 403


def test_the_secret_is_shown_once_and_can_be_rotated(client, agency) -> None:
    created = register(client, agency(), "https://bpkad.palembang.go.id/kinerja").json
    listed = client.get("/api/v1/webhooks", headers=agency()).json
    assert [s["subscription_id"] for s in listed] == [created["subscription_id"]]
    assert "secret" not in listed[0]
    one = client.get(f"/api/v1/webhooks/{created['subscription_id']}", headers=agency()).json
    assert "secret" not in one
    rotated = client.post(f"/api/v1/webhooks/{created['subscription_id']}/rotate-secret", headers=agency()).json
    assert rotated["secret"] != created["secret"]
    # Another agency, or the same agency code in another instansi, does not see it.
    assert client.get("/api/v1/webhooks", headers=agency(tenant="3674")).json == []
    other = agency(nip="199912312020121002")
    assert client.get(f"/api/v1/webhooks/{created['subscription_id']}", headers=other).status_code == 404


def test_signed_delivery_to_a_local_server_with_retries(runtime, dev_client, agency, consume) -> None:
    with webhook_receiver() as receiver:
        created = register(dev_client, agency(), receiver.url, ["reward.granted", "evaluation.completed"]).json
        receiver.statuses.extend([503, 500])  # two transient failures, then 200
        event = envelope("reward.granted")
        consume(event)
        consume(envelope("plan.approved"))  # not subscribed
        dispatcher = create_dispatcher(runtime, DEV)
        t0 = datetime.now(UTC)
        assert dispatcher.run_once(t0)["retry"] == 1
        assert dispatcher.run_once(t0 + timedelta(seconds=11))["retry"] == 1
        assert dispatcher.run_once(t0 + timedelta(seconds=15))["delivered"] == 0  # backoff: 20 s now
        assert dispatcher.run_once(t0 + timedelta(seconds=32))["delivered"] == 1

    assert len(receiver.received) == 3
    last = receiver.received[-1]
    assert last.path == "/hooks/kinerja"
    assert last.headers["X-Kinerja-Event-Id"] == event.event_id
    assert last.headers["X-Kinerja-Event-Type"] == "reward.granted"
    assert verify_signature(
        created["secret"], last.body, last.headers["X-Kinerja-Signature"], last.headers["X-Kinerja-Timestamp"]
    )
    assert not verify_signature(
        "whsec_wrong", last.body, last.headers["X-Kinerja-Signature"], last.headers["X-Kinerja-Timestamp"]
    )
    body = json.loads(last.body)
    assert body["event_id"] == event.event_id
    assert body["payload"]["nip"] == EMPLOYEE
    assert body["tenant"] == "1671"
    assert {r.headers["X-Kinerja-Delivery-Id"] for r in receiver.received} == {last.headers["X-Kinerja-Delivery-Id"]}

    log = dev_client.get(f"/api/v1/webhooks/{created['subscription_id']}/deliveries", headers=agency()).json
    (delivery,) = log
    assert delivery["status"] == "delivered"
    assert delivery["attempts"] == 3
    assert [(a["outcome"], a["status_code"]) for a in delivery["attempt_log"]] == [
        ("retry", 503),
        ("retry", 500),
        ("delivered", 200),
    ]
    assert "whsec_" not in json.dumps(log)


def test_a_failed_delivery_can_be_redelivered(runtime, dev_client, agency, consume) -> None:
    with webhook_receiver() as receiver:
        created = register(dev_client, agency(), receiver.url).json
        receiver.statuses.append(410)  # permanent: no retry
        consume(envelope("reward.granted"))
        dispatcher = create_dispatcher(runtime, DEV)
        assert dispatcher.run_once()["failed"] == 1
        sub = created["subscription_id"]
        (failed,) = dev_client.get(f"/api/v1/webhooks/{sub}/deliveries?status=failed", headers=agency()).json
        redo = dev_client.post(f"/api/v1/webhooks/{sub}/deliveries/{failed['delivery_id']}/redeliver", headers=agency())
        assert redo.status_code == 200
        assert redo.json["status"] == "pending"
        assert dispatcher.run_once()["delivered"] == 1
    assert len(receiver.received) == 2


def test_an_agency_never_receives_another_instansis_events(runtime, dev_client, agency, consume) -> None:
    with webhook_receiver() as receiver:
        register(dev_client, agency(tenant="1671"), receiver.url)
        consume(envelope("reward.granted", tenant="3674"))  # Tangerang Selatan's event
        consume(envelope("reward.granted", tenant="1671"))
        create_dispatcher(runtime, DEV).run_once()
    assert [json.loads(r.body)["tenant"] for r in receiver.received] == ["1671"]


def test_a_redelivered_event_is_queued_once_and_a_deactivated_subscription_gets_nothing(
    runtime, dev_client, agency, consume
) -> None:
    with webhook_receiver() as receiver:
        created = register(dev_client, agency(), receiver.url).json
        event = envelope("reward.granted")
        consume(event)
        consume(event)
        create_dispatcher(runtime, DEV).run_once()
        assert len(receiver.received) == 1
        assert dev_client.delete(f"/api/v1/webhooks/{created['subscription_id']}", headers=agency()).status_code == 204
        consume(envelope("reward.granted"))
        create_dispatcher(runtime, DEV).run_once()
    assert len(receiver.received) == 1


def test_the_worker_consumes_every_other_topic_agencies_may_subscribe_to(runtime) -> None:
    from services.notifications.bootstrap import event_handlers
    from shared.contracts import CATALOG, SERVICE_TOPICS, public_definitions

    handled = set(event_handlers(runtime))
    own = SERVICE_TOPICS["notifications"]
    assert handled == {d.event_type for d in public_definitions() if d.topic != own}
    assert "evaluation.requested" in CATALOG
    assert "evaluation.requested" not in handled  # evaluation's internal work items are not for agencies
    # Its own events are fanned out as they are published, not read back from the broker.
    assert not any(CATALOG.topic_of(t) == own for t in handled)


def test_own_events_reach_subscribers_without_being_consumed_back(runtime, dev_client, agency, consume) -> None:
    with webhook_receiver() as receiver:
        register(dev_client, agency(), receiver.url, ["notice.delivered"])
        register(dev_client, agency(tenant="3674"), receiver.url, ["notice.delivered"])  # another instansi
        consume(envelope("reward.granted"))  # a notice for the employee: notice.delivered published
        sent = create_dispatcher(runtime, DEV).run_once()["delivered"]
    bodies = [json.loads(r.body) for r in receiver.received]
    assert sent == len(bodies) >= 1
    assert {(b["event_type"], b["tenant"], b["payload"]["source_event_type"]) for b in bodies} == {
        ("notice.delivered", "1671", "reward.granted")
    }
    assert EMPLOYEE in {b["payload"]["nip"] for b in bodies}


# --- the worker reads of a payload only what it uses; what it forwards, it checks whole ---------

IKI_RESULT = {
    "rhk_id": "rhk-1",
    "rhk_kind": "utama",
    "iki_id": "rhk-1.iki-1",
    "indicator": "Pasien yang dilayani",
    "target": 1200.0,
    "realisasi": 1350.0,
    "direction": "higher_is_better",
    "achievement_pct": 112.5,
    "rating": "di_atas_ekspektasi",
}


def as_record(event_type: str, offset: int = 0, **changes) -> tuple[Envelope, FakeRecord]:
    wire = wire_envelope(event_type, **changes)
    return wire, FakeRecord(CATALOG.topic_of(event_type), 0, offset, EMPLOYEE.encode(), wire.to_json())


def webhook_bodies(runtime) -> list[dict]:
    with runtime.engine.connect() as conn:
        rows = conn.execute(select(deliveries.c.payload).where(deliveries.c.channel == "webhook")).scalars()
        return [json.loads(body) for body in rows]


def test_what_the_worker_reads_of_each_event() -> None:
    reads = event_handlers(None)["evaluation.completed"].reads
    # An evaluation result without its analysis, which no notice uses.
    assert "predikat" in reads["evaluation.completed"]
    assert not {"breakdown", "explanation", "strengths", "weaknesses"} & reads["evaluation.revised"]
    # Nothing of what it only forwards; whole what makes a notice or feeds its directory.
    assert reads["incentive.calculated"] == reads["assessment.recorded"] == frozenset()
    assert "reward.granted" not in reads
    assert "employee.registered" not in reads


def test_a_forwarded_event_is_whole_though_the_notice_read_part_of_it(runtime, dev_client, agency) -> None:
    register(dev_client, agency(), "http://127.0.0.1:9/hook", ["evaluation.completed", "incentive.calculated"])
    dead_letters = FakeProducer()
    sent, record = as_record("evaluation.completed", breakdown=[IKI_RESULT])
    forwarded, other = as_record("incentive.calculated", offset=1)
    outcomes = worker_consumer(runtime, dead_letters).handle_batch([record, other])
    assert [o.status for o in outcomes] == ["processed", "processed"]
    assert dead_letters.sent == []
    bodies = {body["event_type"]: body for body in webhook_bodies(runtime)}
    assert bodies["evaluation.completed"]["payload"]["breakdown"] == [IKI_RESULT]
    assert bodies["evaluation.completed"]["payload"] == CATALOG.read(sent).payload
    assert bodies["incentive.calculated"]["payload"] == CATALOG.read(forwarded).payload
    with runtime.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(notices)).scalar_one() == 1


def test_a_field_the_notice_does_not_use_is_checked_only_if_the_event_is_forwarded(runtime, dev_client, agency) -> None:
    broken = {**IKI_RESULT, "achievement_pct": "banyak"}
    dead_letters = FakeProducer()
    _, record = as_record("evaluation.completed", breakdown=[broken])
    # No agency subscribes: the employee is told, and nothing reads the broken breakdown.
    assert worker_consumer(runtime, dead_letters).handle(record).status == "processed"
    register(dev_client, agency(), "http://127.0.0.1:9/hook", ["evaluation.completed"])
    _, again = as_record("evaluation.completed", offset=1, breakdown=[broken], evaluation_id="ev-2")
    assert worker_consumer(runtime, dead_letters).handle(again).status == "dead_lettered"
    (dead,) = dead_letters.sent
    assert "achievement_pct" in dead["headers"]["dlq.error"].decode()
    assert webhook_bodies(runtime) == []
