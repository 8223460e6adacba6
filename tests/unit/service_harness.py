"""What every service's unit tests need: the service on a throwaway SQLite file, bearer headers,
and a way to hand an event to a worker handler the way the consumer does."""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from shared.auth import TokenService
from shared.events import Envelope
from shared.messaging.consumer import Handler
from shared.runtime import ServiceRuntime


@contextmanager
def sqlite_runtime(service: str, tmp_path: Path) -> Iterator[ServiceRuntime]:
    """The service's runtime on a migrated SQLite file, disposed of afterwards."""
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    settings = dataclasses.replace(bootstrap.create_runtime().settings, database_url=f"sqlite:///{tmp_path}/db.sqlite")
    runtime = bootstrap.create_runtime(settings)
    runtime.migrate()
    try:
        yield runtime
    finally:
        runtime.engine.dispose()


def bearer(runtime: ServiceRuntime, nip: str, roles: Iterable[str], tenant: str) -> dict[str, str]:
    token = TokenService.from_settings(runtime.settings).mint(nip, list(roles), tenant)
    return {"Authorization": f"Bearer {token}"}


def deliver(runtime: ServiceRuntime, handlers: Mapping[str, Handler], envelope: Envelope) -> None:
    """Run the handler for the event in its own committed transaction, as the consumer does."""
    with runtime.uow() as uow:
        handlers[envelope.event_type](uow, envelope)
        uow.commit()
