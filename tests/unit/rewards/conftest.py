"""Fixtures of the rewards tests: a runtime on a SQLite file, the app, tokens and evaluation events."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from services.rewards.adapters.tables import decisions, eventing
from services.rewards.bootstrap import create_app, event_handlers
from shared.events import Envelope
from shared.runtime import ServiceRuntime
from tests.unit.rewards.rewards_samples import TENANT, envelope
from tests.unit.service_harness import bearer, sqlite_runtime
from tests.unit.service_harness import deliver as deliver_event


@pytest.fixture
def runtime(tmp_path) -> Iterator[ServiceRuntime]:
    with sqlite_runtime("rewards", tmp_path) as runtime_:
        yield runtime_


@pytest.fixture
def deliver(runtime) -> Callable[..., None]:
    """Run the worker's handler for the event in its own transaction, as the consumer does.

    The event type defaults to evaluation.completed, or evaluation.revised for a payload with a revision.
    """
    handlers = event_handlers(runtime)

    def _deliver(payload: dict[str, Any], tenant: str = TENANT, event_type: str | None = None) -> None:
        deliver_event(runtime, handlers, envelope(payload, tenant, event_type))

    return _deliver


@pytest.fixture
def count(runtime) -> Callable[..., int]:
    tables = {"outbox": eventing.outbox, "decisions": decisions, "event_store": eventing.event_store}

    def _count(table: str) -> int:
        with runtime.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(tables[table])).scalar_one()

    return _count


@pytest.fixture
def outbox(runtime) -> Callable[..., list[Envelope]]:
    def _rows(*types: str) -> list[Envelope]:
        """The outbox's events in order, only those of `types` when given."""
        with runtime.engine.connect() as conn:
            values = conn.execute(select(eventing.outbox.c.value).order_by(eventing.outbox.c.id)).scalars()
            found = [Envelope.from_json(v) for v in values]
        return [e for e in found if not types or e.event_type in types]

    return _rows


@pytest.fixture
def client(runtime):
    return create_app(runtime).test_client()


@pytest.fixture
def auth(runtime) -> Callable[..., dict[str, str]]:
    def _auth(nip: str, roles: tuple[str, ...] = ("pegawai",), tenant: str = TENANT) -> dict[str, str]:
        return bearer(runtime, nip, roles, tenant)

    return _auth
