"""The Kafka topics of the system and how they are provisioned: one place for partitions, retention
and dead-letter topics, read by the topic-provisioning job (`python -m deploy.ops topics provision`),
the operator CLI and the event catalog generator.

Partitions bound how far a consumer group scales out (one member per partition at most), so the
evaluation worker's autoscaler is capped at the partition count of the topics it reads. Choose
them for the year-end peak; they can be raised later but not lowered, and raising them moves
keys to other partitions (order per key holds only from then on).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from shared.config import Settings
from shared.contracts import INTERNAL_TOPICS, SERVICE_TOPICS, dlq_topic

DAY_MS = 24 * 60 * 60 * 1000
PRODUCTION_PARTITIONS = 12  # the Kubernetes base and the event catalog; KAFKA_TOPIC_PARTITIONS elsewhere
EVENT_RETENTION_DAYS = 30
DLQ_RETENTION_DAYS = 90  # dead letters wait for a fix and a replay; keep them longer


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    retention_ms: int
    producer: str  # the service that publishes it ("*" for a dead-letter topic: any consumer)
    dead_letter_of: str | None = None

    @property
    def config(self) -> dict[str, str]:
        return {
            "retention.ms": str(self.retention_ms),
            "cleanup.policy": "delete",
            # acks=all with one broker down still succeeds on a 3-broker cluster; ignored when RF=1.
            "min.insync.replicas": os.environ.get("KAFKA_MIN_INSYNC_REPLICAS", "1"),
        }


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


def topic_plan(partitions: int | None = None) -> list[TopicSpec]:
    """Every topic: each service's event topic and its `.dlq`, with the same partition count."""
    # The same setting and default the workers use when they create a missing topic.
    count = partitions or Settings.from_env("ops").topic_partitions
    event_ms = _int_env("KAFKA_EVENT_RETENTION_DAYS", EVENT_RETENTION_DAYS) * DAY_MS
    dlq_ms = _int_env("KAFKA_DLQ_RETENTION_DAYS", DLQ_RETENTION_DAYS) * DAY_MS
    plan: list[TopicSpec] = []
    for service, topic in sorted(SERVICE_TOPICS.items()):
        plan.append(TopicSpec(topic, count, event_ms, service))
        plan.append(TopicSpec(dlq_topic(topic), count, dlq_ms, "*", dead_letter_of=topic))
    for service, topics in sorted(INTERNAL_TOPICS.items()):  # e.g. evaluation's period-close work items
        for topic in topics:
            plan.append(TopicSpec(topic, count, event_ms, service))
            plan.append(TopicSpec(dlq_topic(topic), count, dlq_ms, service, dead_letter_of=topic))
    return plan


def consumer_group(service: str) -> str:
    """The consumer group of a service's worker (see shared.runtime.ServiceRuntime.build_worker)."""
    return f"kinerja-{service}"
