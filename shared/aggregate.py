"""Base class for event-sourced aggregates: state is rebuilt by applying the aggregate's own events.

No I/O here. A command method checks the rules, then calls `_record(...)`, which applies the new
event to the state and queues it for the event store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Self


@dataclass(frozen=True)
class DomainEvent:
    event_type: str
    data: dict[str, Any]
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class Aggregate:
    aggregate_type: ClassVar[str]

    def __init__(self, aggregate_id: str) -> None:
        self.id = aggregate_id
        self.version = 0
        self.pending: list[DomainEvent] = []

    @classmethod
    def rehydrate(cls, aggregate_id: str, events: list[DomainEvent]) -> Self:
        aggregate = cls(aggregate_id)
        for event in events:
            aggregate._apply(event)
        return aggregate

    @property
    def persisted_version(self) -> int:
        """The version the event store holds, i.e. before the pending events."""
        return self.version - len(self.pending)

    def _record(self, event_type: str, **data: Any) -> DomainEvent:
        event = DomainEvent(event_type, data)
        self._apply(event)
        self.pending.append(event)
        return event

    def _apply(self, event: DomainEvent) -> None:
        handler = getattr(self, "_on_" + event.event_type.replace(".", "_").replace("-", "_"))
        handler(event.data)
        self.version += 1
