"""Rewards' composition root: builds the runtime, the web app and the worker's handlers.

The policies and the training catalogue are loaded and validated here, when a web or worker
process starts: a broken file stops the start with a `PolicyError` instead of failing on the
first event.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from services.rewards.adapters.policies import load_catalogue, load_policies
from services.rewards.adapters.tables import MIGRATIONS, eventing, metadata
from services.rewards.entrypoints.api import (
    create_coaching_blueprint,
    create_decisions_blueprint,
    create_operations_blueprint,
    create_policies_blueprint,
)
from services.rewards.service_layer.handlers import (
    RewardsConfig,
    evaluation_completed_handler,
    evaluation_revised_handler,
    on_employee_event,
    on_plan_event,
)
from shared.config import Settings
from shared.messaging.consumer import Handler
from shared.runtime import ServiceRuntime

SERVICE = "rewards"
EMPLOYEE_EVENTS = ("employee.registered", "employee.moved", "employee.atasan_changed", "employee.updated")
PLAN_EVENTS = ("plan.approved", "plan.amended")


def create_runtime(settings: Settings | None = None) -> ServiceRuntime:
    return ServiceRuntime(settings or Settings.from_env(SERVICE), metadata, eventing, MIGRATIONS)


def load_config() -> RewardsConfig:
    return RewardsConfig(policies=load_policies(), catalogue=load_catalogue())


def create_app(runtime: ServiceRuntime | None = None) -> Flask:
    runtime = runtime or create_runtime()
    config = load_config()
    return runtime.web_app(
        title="Kinerja — Rewards",
        description="Follow-up of annual evaluations: incentive, credit points, awards, promotion eligibility, "
        "pembinaan and training.",
        blueprints=[
            create_decisions_blueprint(runtime.uow),
            create_coaching_blueprint(runtime.uow),
            create_policies_blueprint(runtime.uow, config),
            create_operations_blueprint(runtime.uow, config),
        ],
    )


def event_handlers(_runtime: ServiceRuntime) -> Mapping[str, Handler]:
    config = load_config()
    return {
        "evaluation.completed": evaluation_completed_handler(config),
        "evaluation.revised": evaluation_revised_handler(config),
        **dict.fromkeys(EMPLOYEE_EVENTS, on_employee_event),
        **dict.fromkeys(PLAN_EVENTS, on_plan_event),
    }
