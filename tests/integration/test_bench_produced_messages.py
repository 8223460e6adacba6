"""The benchmark's measure of what the system wrote to its topics (the size the raw baseline
sends), against a real broker: the relays delete what they sent, so it is read from the topics."""

from __future__ import annotations

import uuid

import pytest

from bench.monitor import ProducedMessages
from shared.messaging.kafka import create_producer, ensure_topics

pytestmark = pytest.mark.integration


def test_the_mean_size_counts_only_messages_written_since_and_no_dead_letters(kafka_bootstrap) -> None:
    events = f"kinerja.bench-sizes-{uuid.uuid4().hex[:8]}.events"
    ensure_topics(kafka_bootstrap, [events, f"{events}.dlq"], 3)
    producer = create_producer(kafka_bootstrap, client_id="itest-bench-sizes")
    try:
        producer.send(events, key=b"k", value=b"x" * 1000).get(timeout=30)  # before: not counted
        produced = ProducedMessages(kafka_bootstrap)
        for size in (10, 20, 30, 40):
            producer.send(events, key=str(size).encode(), value=b"y" * size)
        producer.send(f"{events}.dlq", key=b"k", value=b"z" * 5000)
        producer.flush(timeout=30)
        assert produced.mean_value_bytes(timeout_s=60) == 25
    finally:
        producer.close()
