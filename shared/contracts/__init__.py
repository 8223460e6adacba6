"""The public event contract of all services: one catalog, versioned, validated on both sides.

Producers and consumers share these marshmallow schemas; consumers read tolerantly (unknown
fields dropped) and upcast old versions through the catalog.
"""

from shared.contracts import evaluation, notifications, organisation, planning, rewards
from shared.events import EventCatalog

CATALOG = EventCatalog(
    [
        *planning.DEFINITIONS,
        *organisation.DEFINITIONS,
        *evaluation.DEFINITIONS,
        *rewards.DEFINITIONS,
        *notifications.DEFINITIONS,
    ]
)

# The topic each service publishes on (it is the only producer of its topic).
SERVICE_TOPICS = {
    "planning": planning.TOPIC,
    "evaluation": evaluation.TOPIC,
    "rewards": rewards.TOPIC,
    "notifications": notifications.TOPIC,
}


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"


__all__ = ["CATALOG", "SERVICE_TOPICS", "dlq_topic"]
