"""The public event contract of all services: one catalog, versioned, validated on both sides.

Producers and consumers share these marshmallow schemas; consumers read tolerantly (unknown
fields dropped) and upcast old versions through the catalog.
"""

from shared.contracts import evaluation, notifications, organisation, planning, rewards
from shared.events import EventCatalog, EventDefinition

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


# Topics a service keeps for its own work (not part of the public contract; agencies never see them).
INTERNAL_TOPICS = {"evaluation": (evaluation.WORK_TOPIC,)}
PUBLIC_TOPICS = frozenset(SERVICE_TOPICS.values())


def public_definitions() -> list[EventDefinition]:
    """The event types subscribers may rely on: everything but the services' internal work items."""
    return [d for d in CATALOG.definitions() if d.topic in PUBLIC_TOPICS]


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"


__all__ = ["CATALOG", "INTERNAL_TOPICS", "PUBLIC_TOPICS", "SERVICE_TOPICS", "dlq_topic", "public_definitions"]
