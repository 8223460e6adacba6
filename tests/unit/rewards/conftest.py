"""Fixtures of the rewards tests: a runtime on a SQLite file, the app, tokens and evaluation events."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from services.rewards.adapters.tables import decisions, eventing
from services.rewards.bootstrap import create_app, create_runtime, event_handlers
from shared.auth import TokenService
from shared.config import Settings
from shared.events import Envelope
from shared.runtime import ServiceRuntime
from tests.unit.rewards.rewards_samples import TENANT, envelope


@pytest.fixture
def runtime(tmp_path) -> ServiceRuntime:
    settings = dataclasses.replace(Settings.from_env("rewards"), database_url=f"sqlite:///{tmp_path}/db.sqlite")
    rt = create_runtime(settings)
    rt.migrate()
    return rt


@pytest.fixture
def deliver(runtime) -> Callable[..., None]:
    """Run the worker's evaluation.completed handler in its own transaction, as the consumer does."""
    handler = event_handlers(runtime)["evaluation.completed"]

    def _deliver(payload: dict[str, Any], tenant: str = TENANT) -> None:
        with runtime.uow() as uow:
            handler(uow, envelope(payload, tenant))
            uow.commit()

    return _deliver


@pytest.fixture
def count(runtime) -> Callable[..., int]:
    tables = {"outbox": eventing.outbox, "decisions": decisions, "event_store": eventing.event_store}

    def _count(table: str) -> int:
        with runtime.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(tables[table])).scalar_one()

    return _count


@pytest.fixture
def outbox(runtime) -> Callable[[], list[Envelope]]:
    def _rows() -> list[Envelope]:
        with runtime.engine.connect() as conn:
            values = conn.execute(select(eventing.outbox.c.value).order_by(eventing.outbox.c.id)).scalars()
            return [Envelope.from_json(v) for v in values]

    return _rows


@pytest.fixture
def client(runtime):
    return create_app(runtime).test_client()


@pytest.fixture
def auth(runtime) -> Callable[..., dict[str, str]]:
    tokens = TokenService.from_settings(runtime.settings)

    def _auth(nip: str, roles: tuple[str, ...] = ("pegawai",), tenant: str = TENANT) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens.mint(nip, list(roles), tenant)}"}

    return _auth
