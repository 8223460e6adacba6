"""kafka-python clients configured the one way every service uses them."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

log = logging.getLogger(__name__)


# 256 KiB record batches instead of kafka-python's 16 KiB: the relay sends up to 500 events of
# ~1 KB at once, and each full batch cost a sender wake-up and a produce request of its own —
# about 75 -> 40 µs of producer CPU per event (`python -m bench.producer_batch`).
PRODUCER_BATCH_BYTES = 256 * 1024


def create_producer(bootstrap_servers: str, client_id: str, batch_size: int = PRODUCER_BATCH_BYTES) -> KafkaProducer:
    # acks=all + idempotence: a retried send is never written twice and never reordered per key.
    return KafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        max_in_flight_requests_per_connection=5,
        linger_ms=5,
        batch_size=batch_size,
        retries=2147483647,
        delivery_timeout_ms=120_000,
        request_timeout_ms=30_000,
    )


def create_consumer(
    bootstrap_servers: str, group_id: str, topics: Iterable[str], client_id: str, max_poll_records: int = 200
) -> KafkaConsumer:
    # Offsets are committed by hand, only after our own transaction committed.
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=group_id,
        client_id=client_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=max_poll_records,
        isolation_level="read_committed",
        # Metadata every 30 s instead of kafka-python's 5 minutes: a topic whose metadata had not
        # reached the broker we asked when we joined, or partitions added before a year-end, are
        # picked up (and the group rebalanced) within seconds rather than minutes.
        metadata_max_age_ms=30_000,
    )
    consumer.subscribe(sorted(topics))
    return consumer


def ensure_topics(bootstrap_servers: str, topics: Iterable[str], partitions: int, replication_factor: int = 1) -> None:
    """Create the topics that do not exist yet (idempotent; safe in several processes at once)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="kinerja-topic-provisioner")
    try:
        existing = set(admin.list_topics())
        missing = [t for t in sorted(set(topics)) if t not in existing]
        for topic in missing:
            try:
                admin.create_topics([NewTopic(topic, partitions, replication_factor)])
                log.info("created topic %s with %d partitions", topic, partitions)
            except TopicAlreadyExistsError:
                pass
    finally:
        admin.close()
