"""Fixtures of the evaluation service's unit tests: a runtime on a SQLite file, a test client,
tokens, and a way to hand planning's events to the worker's handlers."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from services.evaluation.bootstrap import create_app, event_handlers
from shared.events import Envelope
from shared.runtime import ServiceRuntime
from tests.unit.evaluation.evaluation_samples import TENANT
from tests.unit.service_harness import bearer, sqlite_runtime
from tests.unit.service_harness import deliver as deliver_event


@pytest.fixture
def runtime(tmp_path) -> Iterator[ServiceRuntime]:
    with sqlite_runtime("evaluation", tmp_path) as runtime_:
        yield runtime_


@pytest.fixture
def deliver(runtime) -> Callable[[Envelope], None]:
    """Run the worker's handler for an event in its own transaction, as the consumer does."""
    handlers = event_handlers(runtime)
    return lambda env: deliver_event(runtime, handlers, env)


@pytest.fixture
def client(runtime):
    return create_app(runtime).test_client()


@pytest.fixture
def auth(runtime) -> Callable[..., dict[str, str]]:
    def _auth(nip: str, *roles: str, tenant: str = TENANT) -> dict[str, str]:
        return bearer(runtime, nip, roles or ["pegawai"], tenant)

    return _auth
