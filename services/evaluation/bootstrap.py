"""Evaluation's composition root: builds the runtime, the web app and the worker's handlers."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from services.evaluation.adapters.tables import MIGRATIONS, eventing, metadata
from services.evaluation.domain.curve import load_curve
from services.evaluation.entrypoints.api import create_blueprint
from services.evaluation.service_layer import period_close, projections
from shared.config import Settings
from shared.messaging.consumer import Handler
from shared.runtime import ServiceRuntime

SERVICE = "evaluation"


def create_runtime(settings: Settings | None = None) -> ServiceRuntime:
    return ServiceRuntime(settings or Settings.from_env(SERVICE), metadata, eventing, MIGRATIONS)


def create_app(runtime: ServiceRuntime | None = None) -> Flask:
    runtime = runtime or create_runtime()
    return runtime.web_app(
        title="Kinerja — Evaluation",
        description="BerAKHLAK assessments and evaluations: rating hasil kerja, rating perilaku kerja, predikat.",
        blueprints=[create_blueprint(runtime.uow, load_curve())],
    )


def event_handlers(_runtime: ServiceRuntime) -> Mapping[str, Handler]:
    """Planning's events build evaluation's own copy of approved plans, realisasi and the
    organisation; its own `evaluation.requested` work items (a period close) are spread over the
    worker copies by the topic's partitions."""
    return {
        "plan.approved": projections.on_plan_approved,
        "plan.amended": projections.on_plan_amended,
        "progress.reported": projections.on_progress_reported,
        "unit.registered": projections.on_unit,
        "unit.changed": projections.on_unit,
        "employee.registered": projections.on_employee,
        "employee.moved": projections.on_employee,
        "employee.atasan_changed": projections.on_employee,
        "employee.updated": projections.on_employee,
        "evaluation.requested": period_close.on_evaluation_requested,
    }
