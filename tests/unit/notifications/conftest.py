"""Fixtures for the notifications unit tests: a runtime on SQLite, the worker's handlers, tokens."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from services.notifications.adapters.tables import eventing, notices
from services.notifications.adapters.template_files import load_templates
from services.notifications.bootstrap import create_app, create_runtime, event_handlers
from shared.auth import TokenService
from shared.config import Settings
from shared.events import Envelope
from tests.unit.notifications.notifications_samples import EMPLOYEE, TENANT


@pytest.fixture(scope="session")
def templates():
    return load_templates()


@pytest.fixture
def runtime(tmp_path):
    settings = dataclasses.replace(Settings.from_env("notifications"), database_url=f"sqlite:///{tmp_path}/db.sqlite")
    rt = create_runtime(settings)
    rt.migrate()
    return rt


@pytest.fixture
def consume(runtime):
    """Run the worker's handler for an event in its own committed transaction."""
    handlers = event_handlers(runtime)

    def run(env: Envelope) -> None:
        with runtime.uow() as uow:
            handlers[env.event_type](uow, env)
            uow.commit()

    return run


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
    tokens = TokenService.from_settings(runtime.settings)

    def headers(nip: str = EMPLOYEE, roles: tuple[str, ...] = ("pegawai",), tenant: str = TENANT) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens.mint(nip, list(roles), tenant)}"}

    return headers
