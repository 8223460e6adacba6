"""The instansi admin's planning calendar and unit targets:
/api/v1/periods/<year>/quarters and /api/v1/unit-targets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from services.planning.entrypoints import period_schemas as schemas
from services.planning.service_layer import calendar_and_targets
from shared.auth import Role
from shared.storage.unit_of_work import UnitOfWork
from shared.web import current_principal, require_roles

YEAR = "<int(min=2000, max=2100):period_year>"
QUARTER = "<int(min=1, max=4):quarter>"


def create_blueprint(uow: Callable[[], UnitOfWork]) -> Blueprint:
    bp = Blueprint(
        "periods",
        __name__,
        url_prefix="/api/v1",
        description="Quarters open or closed for realisasi, and unit-level targets (admin instansi).",
    )

    @bp.route(f"/periods/{YEAR}/quarters")
    @bp.response(200, schemas.QuarterOut(many=True))
    def quarters(period_year: int) -> list[dict[str, Any]]:
        """Which quarters of the year still take realisasi."""
        return calendar_and_targets.quarters(uow(), current_principal(), period_year)

    @bp.route(f"/periods/{YEAR}/quarters/{QUARTER}/close", methods=["POST"])
    @bp.arguments(schemas.QuarterChange)
    @bp.response(200, schemas.QuarterOut(many=True))
    @require_roles(Role.ADMIN)
    def close(data: dict[str, Any], period_year: int, quarter: int) -> list[dict[str, Any]]:
        """Close a quarter: later realisasi for it are refused until it is reopened."""
        return calendar_and_targets.close_quarter(uow(), current_principal(), period_year, quarter, data.get("reason"))

    @bp.route(f"/periods/{YEAR}/quarters/{QUARTER}/reopen", methods=["POST"])
    @bp.arguments(schemas.QuarterReopen)
    @bp.response(200, schemas.QuarterOut(many=True))
    @require_roles(Role.ADMIN)
    def reopen(data: dict[str, Any], period_year: int, quarter: int) -> list[dict[str, Any]]:
        """Reopen a closed quarter for late realisasi, with a reason."""
        return calendar_and_targets.reopen_quarter(uow(), current_principal(), period_year, quarter, data["reason"])

    @bp.route("/unit-targets")
    class UnitTargets(MethodView):
        @bp.arguments(schemas.UnitTargetQuery, location="query")
        @bp.response(200, schemas.UnitTargetOut(many=True))
        def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
            """Unit-level targets of the instansi, by unit and year."""
            return calendar_and_targets.list_unit_targets(
                uow(), current_principal(), query.get("unit_id"), query.get("period_year")
            )

        @bp.arguments(schemas.UnitTargetIn)
        @bp.response(200, schemas.UnitTargetOut)
        @require_roles(Role.ADMIN)
        def put(self, data: dict[str, Any]) -> dict[str, Any]:
            """Set a unit's target for a year, by its code (a change keeps the history)."""
            return calendar_and_targets.set_unit_target(uow(), current_principal(), data)

    return bp
