"""Helpers for integration tests: fresh topics and reading back what is on them."""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Mapping

from kafka import KafkaConsumer
from kafka.consumer.fetcher import ConsumerRecord
from sqlalchemy import Engine, Table

from shared.contracts import CATALOG
from shared.events import Envelope, EventCatalog
from shared.messaging.kafka import create_producer, ensure_topics
from shared.messaging.relay import OutboxRelay


def fresh_topic(bootstrap: str, prefix: str, partitions: int = 3) -> str:
    topic = f"test.{prefix}.{uuid.uuid4().hex[:10]}"
    ensure_topics(bootstrap, [topic, f"{topic}.dlq"], partitions)
    return topic


def catalog_on_topics(topics: Mapping[str, str], others: str | None = None) -> EventCatalog:
    """The real catalog with topics swapped for fresh ones: `topics` maps a real topic to its
    stand-in; `others`, if given, stands in for every topic not in `topics`."""
    return EventCatalog(
        dataclasses.replace(d, topic=topics.get(d.topic, others or d.topic)) for d in CATALOG.definitions()
    )


def relay_all(engine: Engine, outbox: Table, bootstrap: str, batch_size: int = 500) -> int:
    """Publish every unpublished outbox row, as a worker's relay would; returns how many."""
    producer = create_producer(bootstrap, client_id=f"itest-relay-{uuid.uuid4().hex[:6]}")
    relay = OutboxRelay(engine, outbox, producer, lock_name="itest-relay", batch_size=batch_size)
    sent = 0
    try:
        while batch := relay.publish_pending():
            sent += batch
    finally:
        producer.close(timeout=10)
    return sent


def _reader(bootstrap: str, topic: str, idle_ms: int) -> KafkaConsumer:
    """A group-less consumer from the start of the topic; iteration stops after `idle_ms` of silence."""
    return KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=idle_ms,
    )


def read_envelopes(bootstrap: str, topic: str, idle_ms: int = 3000) -> list[Envelope]:
    """Every event on the topic so far."""
    consumer = _reader(bootstrap, topic, idle_ms)
    try:
        return [Envelope.from_json(record.value) for record in consumer]
    finally:
        consumer.close()


def read_all(
    bootstrap: str, topic: str, expected: int, timeout_s: float = 30.0, settle_s: float = 1.0
) -> list[ConsumerRecord]:
    """Read a topic from the start until `expected` records arrived and nothing more came for `settle_s`."""
    consumer = _reader(bootstrap, topic, idle_ms=500)
    records: list[ConsumerRecord] = []
    deadline = time.monotonic() + timeout_s
    quiet_since = time.monotonic()
    try:
        while time.monotonic() < deadline:
            batch = consumer.poll(timeout_ms=300)
            got = [r for rs in batch.values() for r in rs]
            records += got
            if got:
                quiet_since = time.monotonic()
            elif len(records) >= expected and time.monotonic() - quiet_since >= settle_s:
                break
    finally:
        consumer.close()
    return records
