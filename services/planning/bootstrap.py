"""Planning's composition root: builds the runtime, the web app and the worker's handlers."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from services.planning.adapters.tables import MIGRATIONS, eventing, metadata
from services.planning.entrypoints import organisation_api, period_api, skp_api
from shared.config import Settings
from shared.messaging.consumer import Handler
from shared.runtime import ServiceRuntime

SERVICE = "planning"


def create_runtime(settings: Settings | None = None) -> ServiceRuntime:
    return ServiceRuntime(settings or Settings.from_env(SERVICE), metadata, eventing, MIGRATIONS)


def create_app(runtime: ServiceRuntime | None = None) -> Flask:
    runtime = runtime or create_runtime()
    return runtime.web_app(
        title="Kinerja — Planning (SKP)",
        description="SKP work plans cascaded from the atasan's plan; approval; realisasi.",
        blueprints=[
            organisation_api.create_blueprint(runtime.uow),
            skp_api.create_blueprint(runtime.uow),
            period_api.create_blueprint(runtime.uow),
        ],
    )


def event_handlers(_runtime: ServiceRuntime) -> Mapping[str, Handler]:
    """Planning consumes no events yet; its worker relays the outbox."""
    return {}
