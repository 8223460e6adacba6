"""/metrics on the web app and the worker's metrics server, and the counters moving as work is done."""

from __future__ import annotations

import dataclasses
import socket
import urllib.error
import urllib.request

from flask_smorest import Blueprint
from kafka.structs import TopicPartition
from prometheus_client import REGISTRY

from shared.config import Settings
from shared.messaging.relay import OutboxRelay
from shared.metrics import MetricsServer, record_published
from shared.storage.database import create_db_engine
from shared.web import create_service_app
from tests.unit.shared.conftest import FakeProducer
from tests.unit.shared.test_consumer import Recorder, make_consumer, record, returned_event


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _app(tmp_path):
    """A service app with one parameterised, authenticated route, built by the shared factory."""
    settings = dataclasses.replace(Settings.from_env("metrics-test"), database_url=f"sqlite:///{tmp_path}/m.db")
    blueprint = Blueprint("things", __name__, url_prefix="/api/v1")

    @blueprint.route("/things/<thing_id>")
    def thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    engine = create_db_engine(settings.database_url)
    return create_service_app(settings, title="metrics test", engine=engine, blueprints=[blueprint]), engine


def test_web_metrics_are_public_and_count_requests_by_route_template_and_status(tmp_path):
    app, engine = _app(tmp_path)
    client = app.test_client()
    route = {"service": "metrics-test", "method": "GET", "route": "/api/v1/things/<thing_id>"}
    before = sample("kinerja_http_requests_total", **route, status="401")
    latency_before = sample("kinerja_http_request_duration_seconds_count", **route)
    unmatched = {"service": "metrics-test", "method": "GET", "route": "unmatched", "status": "404"}
    unmatched_before = sample("kinerja_http_requests_total", **unmatched)

    assert client.get("/api/v1/things/1").status_code == 401
    assert client.get("/api/v1/things/2").status_code == 401
    assert client.get("/no/such/path").status_code == 404

    response = client.get("/metrics")  # no token needed, like /healthz
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    assert "kinerja_http_requests_total" in response.get_data(as_text=True)
    assert sample("kinerja_http_requests_total", **route, status="401") == before + 2  # one series, not one per id
    assert sample("kinerja_http_request_duration_seconds_count", **route) == latency_before + 2
    assert sample("kinerja_http_requests_total", **unmatched) == unmatched_before + 1
    assert "/metrics" not in client.get("/openapi.json").json["paths"]
    engine.dispose()


class FakeKafkaConsumer:
    def __init__(self, batch):
        self.batch = batch
        self.committed = None

    def poll(self, timeout_ms: int = 0):
        batch, self.batch = self.batch, {}
        return batch

    def commit(self, offsets):
        self.committed = offsets


def test_consumer_counts_outcomes_by_type_and_dead_letters_by_topic(store):
    consumer = make_consumer(store, Recorder(), FakeProducer())
    labels = {"consumer": "test-group", "event_type": "plan.returned"}
    processed = sample("kinerja_events_consumed_total", **labels, outcome="processed")
    duplicate = sample("kinerja_events_consumed_total", **labels, outcome="duplicate")
    invalid = sample(
        "kinerja_events_consumed_total", consumer="test-group", event_type="unknown", outcome="dead_lettered"
    )
    parked = sample(
        "kinerja_events_dead_lettered_total", consumer="test-group", topic=record(None).topic, event_type="unknown"
    )
    timed = sample("kinerja_event_handler_duration_seconds_count", **labels)

    value = returned_event().to_json()
    batch = {TopicPartition(record(None).topic, 2): [record(value, 0), record(value, 1), record(b"{oops", 2)]}
    consumer.poll_once(FakeKafkaConsumer(batch))

    assert sample("kinerja_events_consumed_total", **labels, outcome="processed") == processed + 1
    assert sample("kinerja_events_consumed_total", **labels, outcome="duplicate") == duplicate + 1
    assert (
        sample("kinerja_events_consumed_total", consumer="test-group", event_type="unknown", outcome="dead_lettered")
        == invalid + 1
    )
    assert (
        sample(
            "kinerja_events_dead_lettered_total", consumer="test-group", topic=record(None).topic, event_type="unknown"
        )
        == parked + 1
    )
    assert sample("kinerja_event_handler_duration_seconds_count", **labels) == timed + 2


def test_relay_counts_published_events_and_reports_the_backlog(store):
    with store.uow() as uow:
        for _ in range(3):
            uow.outbox.add(returned_event())
        uow.commit()
    relay = OutboxRelay(store.engine, store.tables.outbox, FakeProducer(), lock_name="metrics-test", batch_size=2)
    published = {"service": "metrics-test", "topic": "kinerja.planning.events", "event_type": "plan.returned"}
    before = sample("kinerja_events_published_total", **published)

    relay.observe()
    assert sample("kinerja_outbox_backlog", service="metrics-test") == 3
    assert sample("kinerja_outbox_oldest_unpublished_age_seconds", service="metrics-test") >= 0
    relay.publish_pending()
    relay.observe()
    assert sample("kinerja_outbox_backlog", service="metrics-test") == 1
    assert sample("kinerja_events_published_total", **published) == before + 2
    relay.publish_pending()
    relay.observe()
    assert sample("kinerja_outbox_backlog", service="metrics-test") == 0
    assert sample("kinerja_outbox_oldest_unpublished_age_seconds", service="metrics-test") == 0
    assert relay.status() == (0, None)


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own loopback server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_relay_pass_counts_each_topic_and_type_by_its_rows():
    Row = dataclasses.make_dataclass("Row", ["topic", "event_type"])
    rows = [Row("t.a", "x.one")] * 3 + [Row("t.a", "x.two")] + [Row("t.b", "x.one")] * 2
    keys = [("t.a", "x.one"), ("t.a", "x.two"), ("t.b", "x.one")]
    before = [sample("kinerja_events_published_total", service="count-test", topic=t, event_type=e) for t, e in keys]
    record_published("count-test", rows)
    after = [sample("kinerja_events_published_total", service="count-test", topic=t, event_type=e) for t, e in keys]
    assert [a - b for a, b in zip(after, before, strict=True)] == [3, 1, 2]


def test_worker_metrics_server_serves_metrics_health_and_readiness():
    ready = {"value": False}
    server = MetricsServer(_free_port(), host="127.0.0.1", ready=lambda: ready["value"], service="planning")
    assert server.start()
    try:
        base = f"http://127.0.0.1:{server.port}"
        status, body = _get(f"{base}/metrics")
        assert status == 200
        assert "kinerja_events_consumed_total" in body
        assert _get(f"{base}/healthz")[0] == 200
        assert _get(f"{base}/readyz")[0] == 503
        ready["value"] = True
        assert _get(f"{base}/readyz")[0] == 200
        assert _get(f"{base}/other")[0] == 404
        taken = MetricsServer(server.port, host="127.0.0.1")
        assert taken.start() is False  # a taken port warns; the worker keeps going
    finally:
        server.stop()
    assert MetricsServer(0).start() is False  # METRICS_PORT=0 disables it
