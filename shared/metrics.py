"""Prometheus metrics of every process: the web API's requests, the worker's events and outbox.

The metric objects live in the process-wide default registry (one service per process in
production; several in one test process are told apart by the `service`/`consumer` labels).
Every process serves them on `/metrics` in the Prometheus text format: the web app on its own
port (public, like /healthz), the worker on `METRICS_PORT` through a small HTTP server.

With several gunicorn workers per pod, set `PROMETHEUS_MULTIPROC_DIR` to an empty, writable
directory: each gunicorn worker then writes its samples there and `/metrics` aggregates them
(prometheus-client's multiprocess mode), so a scrape sees the whole pod, not one worker.
"""

from __future__ import annotations

import collections
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.exposition import ThreadingWSGIServer

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

# --- web -------------------------------------------------------------------------------------
HTTP_REQUESTS = Counter(
    "kinerja_http_requests_total",
    "HTTP requests served, by route template and status code.",
    ["service", "method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "kinerja_http_request_duration_seconds",
    "Time to serve an HTTP request, by route template.",
    ["service", "method", "route"],
    buckets=LATENCY_BUCKETS,
)

# --- worker: consumer ------------------------------------------------------------------------
EVENTS_CONSUMED = Counter(
    "kinerja_events_consumed_total",
    "Events read by a consumer group, by type and outcome (processed, duplicate, ignored, dead_lettered).",
    ["consumer", "event_type", "outcome"],
)
EVENTS_DEAD_LETTERED = Counter(
    "kinerja_events_dead_lettered_total",
    "Events parked on <topic>.dlq, by source topic and type.",
    ["consumer", "topic", "event_type"],
)
HANDLER_LATENCY = Histogram(
    "kinerja_event_handler_duration_seconds",
    "Time to bring one event to its outcome (handler, inbox and commit, retries included).",
    ["consumer", "event_type"],
    buckets=LATENCY_BUCKETS,
)
CONSUMER_BATCH_EVENTS = Histogram(
    "kinerja_consumer_batch_events",
    "Records a consumer brought to their outcomes in one transaction (a poll's records, up to "
    "CONSUMER_BATCH_SIZE): small batches under load mean the per-transaction cost is paid more often.",
    ["consumer"],
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
)
CONSUMER_LAG = Gauge(
    "kinerja_consumer_lag",
    "Records not yet consumed on each partition this process owns (high watermark - position).",
    ["consumer", "topic", "partition"],
    multiprocess_mode="max",
)
CONSUMER_BACKEND_UNAVAILABLE = Counter(
    "kinerja_consumer_backend_unavailable_total",
    "Times a consumer backed off because its database (or the dead-letter topic) was unreachable.",
    ["consumer"],
)

# --- worker: outbox relay --------------------------------------------------------------------
EVENTS_PUBLISHED = Counter(
    "kinerja_events_published_total",
    "Events the outbox relay published (acknowledged by the broker), by topic and type.",
    ["service", "topic", "event_type"],
)
OUTBOX_BACKLOG = Gauge(
    "kinerja_outbox_backlog",
    "Outbox rows committed but not yet published.",
    ["service"],
    multiprocess_mode="max",
)
OUTBOX_OLDEST_AGE = Gauge(
    "kinerja_outbox_oldest_unpublished_age_seconds",
    "Age of the oldest unpublished outbox row (0 when the outbox is empty).",
    ["service"],
    multiprocess_mode="max",
)


# --- recording helpers (called from the web app, consumer, relay) -----------------------------


def record_consumed(consumer: str, event_type: str | None, outcome: str, seconds: float) -> None:
    kind = event_type or "unknown"
    EVENTS_CONSUMED.labels(consumer, kind, outcome).inc()
    HANDLER_LATENCY.labels(consumer, kind).observe(seconds)


def record_batch(consumer: str, events: int) -> None:
    CONSUMER_BATCH_EVENTS.labels(consumer).observe(events)


def record_dead_lettered(consumer: str, topic: str, event_type: str | None) -> None:
    EVENTS_DEAD_LETTERED.labels(consumer, topic, event_type or "unknown").inc()


def record_published(service: str, rows: Iterable[Any]) -> None:
    # One increment per topic and type, not per row: a relay pass sends up to 500 rows.
    for (topic, event_type), count in collections.Counter((row.topic, row.event_type) for row in rows).items():
        EVENTS_PUBLISHED.labels(service, topic, event_type).inc(count)


def update_consumer_lag(consumer_name: str, kafka_consumer: Any) -> None:
    """Lag per owned partition from the consumer's own fetch metadata (no broker round trip)."""
    for tp in kafka_consumer.assignment():
        highwater = kafka_consumer.highwater(tp)
        if highwater is None:  # nothing fetched from this partition yet
            continue
        position = kafka_consumer.position(tp, timeout_ms=1000)
        if position is None:
            continue
        CONSUMER_LAG.labels(consumer_name, tp.topic, str(tp.partition)).set(max(0, highwater - position))


def update_outbox(service: str, backlog: int, oldest_age_s: float | None) -> None:
    OUTBOX_BACKLOG.labels(service).set(backlog)
    OUTBOX_OLDEST_AGE.labels(service).set(oldest_age_s or 0.0)


# --- exposition ------------------------------------------------------------------------------


def _registry() -> CollectorRegistry:
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def exposition() -> tuple[bytes, str]:
    """The current samples in the Prometheus text format (aggregated over processes in multiprocess mode)."""
    return generate_latest(_registry()), CONTENT_TYPE_LATEST


def prepare_multiprocess_dir() -> None:
    """Empty the multiprocess directory before gunicorn starts (stale files would add old counts)."""
    directory = os.environ.get(MULTIPROC_ENV)
    if not directory:
        return
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        if name.endswith(".db"):
            os.remove(os.path.join(directory, name))


def install_http_metrics(app: Flask, service: str) -> None:
    """Count and time every request by route template (not raw path: ids would explode the label set),
    and serve /metrics."""

    @app.before_request
    def _start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response: Response) -> Response:
        started = g.pop("metrics_started", None)
        if started is not None and request.endpoint != "metrics":
            route = request.url_rule.rule if request.url_rule is not None else "unmatched"
            HTTP_REQUESTS.labels(service, request.method, route, str(response.status_code)).inc()
            HTTP_LATENCY.labels(service, request.method, route).observe(time.perf_counter() - started)
        return response

    def metrics() -> Response:
        body, content_type = exposition()
        return Response(body, content_type=content_type)

    app.add_url_rule("/metrics", endpoint="metrics", view_func=metrics, methods=["GET"])


class MetricsServer:
    """The worker's HTTP endpoint on a daemon thread: /metrics (Prometheus), /healthz (the process
    serves), /readyz (the worker reports itself ready: topics provisioned, loop running)."""

    def __init__(
        self,
        port: int,
        host: str = "0.0.0.0",  # noqa: S104 - scraped and probed from outside the pod
        ready: Callable[[], bool] = lambda: True,
        service: str = "",
    ) -> None:
        self.port = port
        self.host = host
        self._ready = ready
        self._service = service
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        path = environ.get("PATH_INFO", "/")
        if path == "/metrics":
            body, content_type = exposition()
            start_response("200 OK", [("Content-Type", content_type)])
            return [body]
        if path in ("/healthz", "/readyz"):
            ok = path == "/healthz" or self._ready()
            status = "ok" if path == "/healthz" else ("ready" if ok else "unavailable")
            payload = json.dumps({"status": status, "service": self._service, "process": "worker"}).encode()
            start_response("200 OK" if ok else "503 Service Unavailable", [("Content-Type", "application/json")])
            return [payload]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found: try /metrics, /healthz or /readyz\n"]

    def start(self) -> bool:
        """Start serving; False (and a warning, the worker keeps going) when disabled or the port is taken."""
        if self.port <= 0:
            return False
        try:
            server = make_server(self.host, self.port, self._app, ThreadingWSGIServer, handler_class=_QuietHandler)
        except OSError as exc:
            log.warning("metrics server not started on port %d: %s", self.port, exc)
            return False
        self._server = server
        self.port = server.server_port
        self._thread = threading.Thread(target=server.serve_forever, name="metrics-http", daemon=True)
        self._thread.start()
        log.info("metrics on http://%s:%d/metrics", self.host, self.port)
        return True

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes and probes every few seconds would drown the logs."""
