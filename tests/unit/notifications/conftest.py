"""Fixtures for the notifications unit tests: a runtime on SQLite, the worker's handlers, tokens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from services.notifications.adapters.tables import eventing, notices
from services.notifications.adapters.template_files import load_templates
from services.notifications.bootstrap import create_app, event_handlers
from shared.runtime import ServiceRuntime
from tests.unit.notifications.notifications_samples import EMPLOYEE, TENANT
from tests.unit.service_harness import bearer, sqlite_runtime
from tests.unit.service_harness import deliver as deliver_event


@pytest.fixture(scope="session")
def templates():
    return load_templates()


@pytest.fixture
def runtime(tmp_path) -> Iterator[ServiceRuntime]:
    with sqlite_runtime("notifications", tmp_path) as runtime_:
        yield runtime_


@pytest.fixture
def consume(runtime):
    """Run the worker's handler for an event in its own committed transaction."""
    handlers = event_handlers(runtime)
    return lambda env: deliver_event(runtime, handlers, env)


@pytest.fixture
def counts(runtime):
    def count() -> tuple[int, int]:
        with runtime.engine.connect() as conn:
            n_notices = conn.execute(select(func.count()).select_from(notices)).scalar_one()
            n_outbox = conn.execute(select(func.count()).select_from(eventing.outbox)).scalar_one()
        return n_notices, n_outbox

    return count


@pytest.fixture
def client(runtime):
    return create_app(runtime).test_client()


@pytest.fixture
def auth(runtime):
    def headers(nip: str = EMPLOYEE, roles: tuple[str, ...] = ("pegawai",), tenant: str = TENANT) -> dict[str, str]:
        return bearer(runtime, nip, roles, tenant)

    return headers
