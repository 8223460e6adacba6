"""The event envelope and the catalog of event types (schemas, versions, upcasters)."""

from shared.events.catalog import EventCatalog, EventDefinition, UnknownEventType
from shared.events.envelope import Envelope, EnvelopeSchema, InvalidEvent

__all__ = [
    "Envelope",
    "EnvelopeSchema",
    "EventCatalog",
    "EventDefinition",
    "InvalidEvent",
    "UnknownEventType",
]
