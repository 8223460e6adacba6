"""kafka-python clients configured the one way every service uses them."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError
from kafka.partitioner.default import DefaultPartitioner, murmur2

log = logging.getLogger(__name__)


# 256 KiB record batches instead of kafka-python's 16 KiB: the relay sends up to 500 events of
# ~1 KB at once, and each full batch cost a sender wake-up and a produce request of its own —
# 100 -> 48 µs of producer CPU per event on the development machine (`python -m bench.producer_batch`).
PRODUCER_BATCH_BYTES = 256 * 1024


class RememberingPartitioner(DefaultPartitioner):
    """kafka-python's default partitioner — the Java client's murmur2 of the key, so every client
    puts a key on the same partition — with each key's hash remembered.

    Our events are keyed by NIP (or unit id): a year-end close sends several events per employee,
    and kafka-python hashes the key in Python on every send (with the partition lookups around it,
    about a seventh of the relay's time per event). Unkeyed records go to the default's choice."""

    def __init__(self, remembered_keys: int = 65_536) -> None:
        self._key_hash = lru_cache(maxsize=remembered_keys)(_positive_murmur2)

    def partition(
        self, topic: str, key: Any, serialized_key: bytes | None, value: Any, serialized_value: Any, cluster: Any
    ) -> int:
        if serialized_key is None:
            return super().partition(topic, key, serialized_key, value, serialized_value, cluster)
        partitions = cluster.partitions_for_topic(topic)
        if partitions is None:
            raise ValueError(f"Topic {topic} not found in ClusterMetadata")
        ordered = sorted(partitions)
        return ordered[self._key_hash(serialized_key) % len(ordered)]


def _positive_murmur2(serialized_key: bytes) -> int:
    return murmur2(serialized_key) & 0x7FFFFFFF


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
        partitioner=RememberingPartitioner(),
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


def ensure_topics(
    bootstrap_servers: str,
    topics: Iterable[str],
    partitions: int,
    replication_factor: int = 1,
    visible_within_s: float = 30.0,
) -> None:
    """Create the topics that do not exist yet (idempotent; safe in several processes at once), then
    wait until the broker's metadata lists every one of them with a leader for each partition."""
    wanted = sorted(set(topics))
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="kinerja-topic-provisioner")
    try:
        existing = set(admin.list_topics())
        for topic in (t for t in wanted if t not in existing):
            try:
                admin.create_topics([NewTopic(topic, partitions, replication_factor)])
                log.info("created topic %s with %d partitions", topic, partitions)
            except TopicAlreadyExistsError:
                pass
        wait_until_visible(admin, wanted, visible_within_s)
    finally:
        admin.close()


def wait_until_visible(admin: KafkaAdminClient, topics: list[str], timeout_s: float, every_s: float = 0.2) -> None:
    """Return once the metadata lists each topic with a leader for every partition.

    A topic is in the broker's metadata a moment after CreateTopics returns. A consumer that joins
    its group in that moment is assigned none of the topic's partitions ("No partition metadata"),
    and kafka-python 3.0.12 was seen (once, in a benchmark close) to stay so for minutes — out of
    its group, polling an empty assignment at full CPU — instead of rejoining once the topic
    appeared. So a worker subscribes only after this.
    Raises TimeoutError naming the topics still missing."""
    deadline = time.monotonic() + timeout_s
    while True:
        missing = [t["name"] for t in admin.describe_topics(topics) if not _has_leaders(t)]
        if not missing:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"topics not in the broker's metadata after {timeout_s:.0f} s: {missing}")
        time.sleep(every_s)


def _has_leaders(topic: dict) -> bool:
    parts = topic.get("partitions") or []
    return topic.get("error_code", 0) == 0 and bool(parts) and all(p.get("leader_id", -1) >= 0 for p in parts)
