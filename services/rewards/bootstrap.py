"""Rewards' composition root: builds the runtime, the web app and the worker's handlers.

The policies are loaded and validated here, when a web or worker process starts: a broken
policy file stops the start with a `PolicyError` instead of failing on the first event.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from services.rewards.adapters.policies import load_policies
from services.rewards.adapters.tables import MIGRATIONS, eventing, metadata
from services.rewards.entrypoints.api import create_decisions_blueprint, create_policies_blueprint
from services.rewards.service_layer.handlers import evaluation_completed_handler
from shared.config import Settings
from shared.messaging.consumer import Handler
from shared.runtime import ServiceRuntime

SERVICE = "rewards"


def create_runtime(settings: Settings | None = None) -> ServiceRuntime:
    return ServiceRuntime(settings or Settings.from_env(SERVICE), metadata, eventing, MIGRATIONS)


def create_app(runtime: ServiceRuntime | None = None) -> Flask:
    runtime = runtime or create_runtime()
    policies = load_policies()

    return runtime.web_app(
        title="Kinerja — Rewards",
        description="Follow-up of annual evaluations: incentive, awards, promotion eligibility and pembinaan.",
        blueprints=[create_decisions_blueprint(runtime.uow), create_policies_blueprint(policies)],
    )


def event_handlers(_runtime: ServiceRuntime) -> Mapping[str, Handler]:
    return {"evaluation.completed": evaluation_completed_handler(load_policies())}
