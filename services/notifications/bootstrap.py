"""Notifications' composition root: builds the runtime, the web app and the worker's handlers."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from services.notifications.adapters.tables import MIGRATIONS, eventing, metadata
from services.notifications.adapters.template_files import load_templates
from services.notifications.entrypoints.api import create_blueprint
from services.notifications.service_layer import handlers
from shared.config import Settings
from shared.messaging.consumer import Handler
from shared.runtime import ServiceRuntime

SERVICE = "notifications"


def create_runtime(settings: Settings | None = None) -> ServiceRuntime:
    return ServiceRuntime(settings or Settings.from_env(SERVICE), metadata, eventing, MIGRATIONS)


def create_app(runtime: ServiceRuntime | None = None) -> Flask:
    runtime = runtime or create_runtime()
    return runtime.web_app(
        title="Kinerja — Notifications",
        description="In-app notices about plans, evaluations, rewards and pembinaan; each person's own inbox.",
        blueprints=[create_blueprint(runtime.uow)],
    )


def event_handlers(_runtime: ServiceRuntime) -> Mapping[str, Handler]:
    """One handler per consumed event type; the templates are read here, once per worker."""
    return handlers.event_handlers(load_templates())
