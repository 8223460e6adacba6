"""Fixtures of the evaluation service's unit tests: a runtime on a SQLite file, a test client,
tokens, and a way to hand planning's events to the worker's handlers."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from services.evaluation.bootstrap import create_app, create_runtime, event_handlers
from shared.auth import TokenService
from shared.config import Settings
from shared.events import Envelope
from shared.runtime import ServiceRuntime
from tests.unit.evaluation.evaluation_samples import TENANT


@pytest.fixture
def runtime(tmp_path) -> ServiceRuntime:
    settings = dataclasses.replace(Settings.from_env("evaluation"), database_url=f"sqlite:///{tmp_path}/db.sqlite")
    rt = create_runtime(settings)
    rt.migrate()
    return rt


@pytest.fixture
def deliver(runtime) -> Callable[[Envelope], None]:
    """Run the worker's handler for an event in its own transaction, as the consumer does."""
    handlers = event_handlers(runtime)

    def _deliver(env: Envelope) -> None:
        with runtime.uow() as uow:
            handlers[env.event_type](uow, env)
            uow.commit()

    return _deliver


@pytest.fixture
def client(runtime):
    return create_app(runtime).test_client()


@pytest.fixture
def auth(runtime) -> Callable[..., dict[str, str]]:
    tokens = TokenService.from_settings(runtime.settings)

    def _auth(nip: str, *roles: str, tenant: str = TENANT) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens.mint(nip, list(roles or ['pegawai']), tenant)}"}

    return _auth
