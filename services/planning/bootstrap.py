"""Planning's composition root: builds the runtime, the web app and the worker's handlers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import Flask

from services.planning.adapters import organisation_view, planning_views, skp_view
from services.planning.adapters.tables import (
    MIGRATIONS,
    employee_view,
    eventing,
    metadata,
    rhk_link,
    unit_target_view,
    unit_view,
)
from services.planning.adapters.tables import skp_view as skp_view_table
from services.planning.domain.organisation import Employee, Unit
from services.planning.domain.skp import Skp
from services.planning.domain.unit_targets import UnitTargets
from services.planning.entrypoints import organisation_api, period_api, skp_api
from shared.config import Settings
from shared.messaging.consumer import Handler
from shared.projections import Projection
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


def projections(_runtime: ServiceRuntime) -> Sequence[Projection]:
    """Read models the operator CLI can rebuild from the event store (`python -m deploy.ops rebuild`)."""
    return [
        Projection(
            "skp_view",
            Skp,
            (skp_view_table, rhk_link),
            skp_view.upsert,
            "one row per SKP (status, RHK/IKI, realisasi) and the RHK cascade links",
        ),
        Projection(
            "unit_target_view",
            UnitTargets,
            (unit_target_view,),
            planning_views.save_unit_targets,
            "unit-level targets (IKI with a unit_target_id follow these)",
        ),
        Projection(
            "unit_view",
            Unit,
            (unit_view,),
            lambda session, unit: organisation_view.save_units(session, unit.tenant, [unit]),
            "the organisation's unit tree",
        ),
        Projection(
            "employee_view",
            Employee,
            (employee_view,),
            lambda session, employee: organisation_view.save_employees(session, employee.tenant, [employee]),
            "the organisation register's employees with position, unit and atasan",
        ),
    ]
