"""Event store: append-only, optimistic concurrency on (aggregate_id, version), rehydration."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from shared.aggregate import Aggregate, DomainEvent
from shared.errors import ConcurrencyConflict


class Counter(Aggregate):
    aggregate_type = "counter"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.total = 0

    def add(self, amount: int) -> None:
        self._record("counter.added", amount=amount)

    def _on_counter_added(self, data: dict[str, Any]) -> None:
        self.total += data["amount"]


def test_aggregate_is_rebuilt_from_its_events(store) -> None:
    counter = Counter("c-1")
    counter.add(2)
    counter.add(5)
    with store.uow() as uow:
        uow.events.save(counter, tenant="1671")
        uow.commit()
    with store.uow() as uow:
        loaded = uow.events.get(Counter, "c-1")
    assert loaded is not None
    assert (loaded.total, loaded.version, loaded.pending) == (7, 2, [])


def test_concurrent_append_of_the_same_version_conflicts(store) -> None:
    with store.uow() as uow:
        uow.events.append("counter", "c-1", 0, [DomainEvent("counter.added", {"amount": 1})], tenant="1671")
        uow.commit()
    # Two writers both loaded version 1 and both try to write version 2.
    first, second = store.uow(), store.uow()
    with first:
        first.events.append("counter", "c-1", 1, [DomainEvent("counter.added", {"amount": 10})], tenant="1671")
        first.commit()
    with second, pytest.raises(ConcurrencyConflict) as info:
        second.events.append("counter", "c-1", 1, [DomainEvent("counter.added", {"amount": 20})], tenant="1671")
    assert info.value.aggregate_id == "c-1"
    assert info.value.status == 409
    with store.uow() as uow:
        assert uow.events.get(Counter, "c-1").total == 11


def test_a_failed_command_leaves_nothing(store) -> None:
    with store.uow() as uow:
        uow.events.append("counter", "c-2", 0, [DomainEvent("counter.added", {"amount": 1})], tenant="1671")
        # no commit: the unit of work rolls back by default
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(store.tables.event_store)).scalar() == 0
