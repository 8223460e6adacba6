"""Evaluation's HTTP API: /api/v1/assessments, /api/v1/evaluations and the /api/v1/plans projection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from services.evaluation.entrypoints import schemas
from services.evaluation.service_layer import handlers
from shared.auth import Principal, Role
from shared.errors import Forbidden
from shared.storage.unit_of_work import UnitOfWork
from shared.web import current_principal, require_roles


def _may_read(principal: Principal, record: dict[str, Any], what_id: str, what_en: str) -> None:
    if principal.nip in (record["nip"], record["atasan_nip"]) or principal.has(Role.ADMIN):
        return
    raise Forbidden(
        f"Hanya pegawai, atasannya, atau admin instansi yang dapat melihat {what_id} ini.",
        f"Only the employee, their atasan or the instansi admin may read this {what_en}.",
    )


def _scope_list(principal: Principal, query: dict[str, Any]) -> None:
    """Non-admins see their own evaluations, or their subordinates' (where they are the atasan)."""
    if principal.has(Role.ADMIN):
        return
    if query.get("atasan_nip") not in (None, principal.nip):
        raise Forbidden(
            "Anda hanya dapat melihat evaluasi Anda sendiri atau bawahan Anda.",
            "You may only list your own evaluations or your subordinates'.",
        )
    if not query.get("nip") and not query.get("atasan_nip"):
        query["nip"] = principal.nip
    elif query.get("nip") not in (None, principal.nip):
        query["atasan_nip"] = principal.nip  # someone else's: only where you are their atasan


def create_blueprint(uow: Callable[[], UnitOfWork]) -> Blueprint:
    bp = Blueprint(
        "evaluation",
        __name__,
        url_prefix="/api/v1",
        description="BerAKHLAK assessments, evaluations (ratings, predikat, explanation), approved plans.",
    )

    @bp.route("/assessments", methods=["POST"])
    @bp.arguments(schemas.AssessmentIn)
    @bp.response(201, schemas.AssessmentOut)
    def record_assessment(data: dict[str, Any]) -> dict[str, Any]:
        """Record a behaviour assessment: mandiri (yourself), atasan (the SKP's atasan), rekan_kerja or bawahan."""
        return handlers.record_assessment(uow(), current_principal(), data)

    @bp.route("/evaluations")
    class EvaluationCollection(MethodView):
        @bp.arguments(schemas.EvaluationQuery, location="query")
        @bp.response(200, schemas.EvaluationOut(many=True))
        def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
            """List evaluations: your own, your subordinates' or, for admins, the instansi's."""
            principal = current_principal()
            _scope_list(principal, query)
            return handlers.list_evaluations(uow(), principal, **query)

        @bp.arguments(schemas.EvaluationIn)
        @bp.response(201, schemas.EvaluationOut)
        @require_roles(Role.ATASAN)
        def post(self, data: dict[str, Any]) -> dict[str, Any]:
            """Compute a subordinate's evaluation for a period from the approved SKP, its realisasi and
            your atasan assessment (once per employee, year and period)."""
            return handlers.compute_evaluation(uow(), current_principal(), data)

    @bp.route("/evaluations/<evaluation_id>")
    @bp.response(200, schemas.EvaluationOut)
    def get_evaluation(evaluation_id: str) -> dict[str, Any]:
        """Read one evaluation: the employee, their atasan or the instansi admin."""
        principal = current_principal()
        evaluation = handlers.get_evaluation(uow(), principal, evaluation_id)
        _may_read(principal, evaluation, "evaluasi", "evaluation")
        return evaluation

    @bp.route("/plans/<skp_id>")
    @bp.response(200, schemas.PlanOut)
    def get_plan(skp_id: str) -> dict[str, Any]:
        """Read the approved SKP as evaluation knows it, with its realisasi."""
        principal = current_principal()
        plan = handlers.get_plan(uow(), principal, skp_id)
        _may_read(principal, plan, "SKP", "SKP")
        return plan

    return bp
