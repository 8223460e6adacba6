"""Bulk writes for imports: many aggregates' events in one statement with the same optimistic
concurrency as one by one, and many outbox rows validated against the contract."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shared.errors import ConcurrencyConflict
from shared.events import InvalidEvent
from tests.unit.shared.test_event_store import Counter


def test_many_aggregates_are_appended_at_once_and_rebuilt(store) -> None:
    counters = [Counter(f"c-{i}") for i in range(50)]
    for i, counter in enumerate(counters):
        counter.add(i)
        counter.add(1)
    with store.uow() as uow:
        assert uow.events.save_many(counters, tenant="1671") == 100
        uow.commit()
    assert all(c.pending == [] for c in counters)
    with store.uow() as uow:
        loaded = uow.events.get(Counter, "c-7")
    assert loaded is not None
    assert (loaded.total, loaded.version) == (8, 2)


def test_a_taken_version_anywhere_in_the_batch_appends_nothing(store) -> None:
    stale = Counter("c-1")
    stale.add(1)
    with store.uow() as uow:
        uow.events.save(stale, tenant="1671")
        uow.commit()
    fresh, again = Counter("c-2"), Counter("c-1")  # `again` believes c-1 is new: version 1 is taken
    fresh.add(1)
    again.add(5)
    with store.uow() as uow, pytest.raises(ConcurrencyConflict):
        uow.events.save_many([fresh, again], tenant="1671")
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(store.tables.event_store)).scalar_one() == 1


def test_many_events_are_published_in_order_and_validated_against_the_contract(store) -> None:
    payload = {
        "skp_id": "skp-1", "nip": "198503302010011002", "employee_name": "Siti", "period_year": 2026,
        "returned_by": "197001012000031001", "returned_by_name": "Budi", "reason": "Target kurang jelas",
    }  # fmt: skip
    with store.uow() as uow:
        sent = uow.publish_many([("plan.returned", payload, "1671", f"skp-{i}", i + 1) for i in range(3)])
        uow.commit()
    with store.engine.connect() as conn:
        rows = conn.execute(select(store.tables.outbox.c.event_id).order_by(store.tables.outbox.c.id)).scalars().all()
    assert rows == [e.event_id for e in sent]
    with store.uow() as uow, pytest.raises(InvalidEvent):
        uow.publish_many([("plan.returned", {**payload, "nip": "x"}, "1671", "skp-9", 1)])
