"""A service's worker process: its consumer in the main thread, its outbox relay beside it.

On SIGTERM or SIGINT the consumer finishes the batch in hand, commits, and the process exits
after a last relay pass.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterable

from kafka import KafkaProducer

from shared.config import Settings
from shared.contracts import dlq_topic
from shared.messaging.consumer import IdempotentConsumer
from shared.messaging.kafka import create_consumer, ensure_topics
from shared.messaging.relay import OutboxRelay
from shared.metrics import MetricsServer
from shared.storage.table_statistics import StatisticsKeeper

log = logging.getLogger(__name__)


class Worker:
    def __init__(
        self,
        settings: Settings,
        relay: OutboxRelay,
        producer: KafkaProducer,
        consumer: IdempotentConsumer | None,
        consumed_topics: Iterable[str],
        produced_topics: Iterable[str],
        relay_retry_s: float = 0.1,
        statistics: StatisticsKeeper | None = None,
    ) -> None:
        self.settings = settings
        self.relay = relay
        self.producer = producer
        self.consumer = consumer
        self.consumed_topics = sorted(set(consumed_topics))
        self.produced_topics = sorted(set(produced_topics))
        self.stop_event = threading.Event()
        self._relay_retry_s = relay_retry_s
        self.statistics = statistics
        self.ready = threading.Event()  # topics provisioned and the loops started (the worker's /readyz)
        self.metrics_server = MetricsServer(settings.metrics_port, ready=self.ready.is_set, service=settings.service)
        self._outbox_observed_at = 0.0

    def provision_topics(self, max_backoff_s: float = 30.0) -> bool:
        """Create missing topics, waiting for the broker if it is not up yet; False if stopped first."""
        topics = {*self.consumed_topics, *self.produced_topics, *(dlq_topic(t) for t in self.consumed_topics)}
        backoff = 0.5
        while not self.stop_event.is_set():
            try:
                ensure_topics(self.settings.kafka_bootstrap_servers, topics, self.settings.topic_partitions)
                return True
            except Exception as exc:  # noqa: BLE001 - the broker may start after us
                log.warning("cannot provision topics yet (%s); retrying in %.1fs", exc, backoff)
                self.stop_event.wait(backoff)
                backoff = min(backoff * 2, max_backoff_s)
        return False

    def _relay_loop(self) -> None:
        backoff = self._relay_retry_s
        try:
            while not self.stop_event.is_set():
                try:
                    sent = self.relay.publish_pending()
                    backoff = self._relay_retry_s
                except Exception as exc:  # noqa: BLE001 - broker or database away: back off, keep going
                    log.error("outbox relay failed, retrying in %.1fs: %s", backoff, exc)
                    self.stop_event.wait(backoff)
                    backoff = min(backoff * 2, 30.0)
                    continue
                self._observe_outbox()
                self._look_after_statistics()
                if sent == 0:
                    self.relay.wait_for_rows()  # a commit's notification, or at most a second
        finally:
            self.relay.close()

    def _observe_outbox(self, every_s: float = 5.0) -> None:
        now = time.monotonic()
        if now - self._outbox_observed_at < every_s:
            return
        self._outbox_observed_at = now
        try:
            self.relay.observe()
        except Exception as exc:  # noqa: BLE001 - a metric must never stop the relay
            log.debug("outbox gauges not refreshed: %s", exc)

    def _look_after_statistics(self) -> None:
        if self.statistics is None:
            return
        try:
            self.statistics.look()
        except Exception as exc:  # noqa: BLE001 - the planner's statistics must never stop the relay
            log.warning("tables without statistics not looked at: %s", exc)

    def install_signal_handlers(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stop_event.set())

    def run(self) -> None:
        self.metrics_server.start()
        try:
            self._run()
        finally:
            self.metrics_server.stop()

    def _run(self) -> None:
        if not self.provision_topics():
            return
        relay_thread = threading.Thread(target=self._relay_loop, name="outbox-relay", daemon=True)
        relay_thread.start()
        self.ready.set()
        log.info("worker %s started: consuming %s", self.settings.service, self.consumed_topics or "nothing")
        try:
            if self.consumer is not None and self.consumed_topics:
                kafka_consumer = create_consumer(
                    self.settings.kafka_bootstrap_servers,
                    group_id=self.consumer.name,
                    topics=self.consumed_topics,
                    client_id=f"kinerja-{self.settings.service}-worker",
                    max_poll_records=max(200, self.consumer.batch_size),
                )
                try:
                    self.consumer.run(kafka_consumer, self.stop_event)
                finally:
                    kafka_consumer.close(autocommit=False)
            else:
                self.stop_event.wait()
        finally:
            self.ready.clear()
            self.stop_event.set()
            relay_thread.join(timeout=30)
            try:
                self.relay.publish_pending()
            except Exception as exc:  # noqa: BLE001
                log.warning("final outbox pass failed (rows stay for the next start): %s", exc)
            self.producer.flush(timeout=30)
            self.producer.close(timeout=30)
            log.info("worker %s stopped", self.settings.service)
