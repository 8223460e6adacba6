"""Evaluation's HTTP API: /api/v1/assessments, /api/v1/evaluations and the /api/v1/plans projection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from services.evaluation.domain.curve import Curve
from services.evaluation.domain.scoring import PERIODS
from services.evaluation.entrypoints import schemas
from services.evaluation.service_layer import handlers, organisation_handlers, period_close, results
from shared.auth import Principal, Role
from shared.errors import DomainError, Forbidden
from shared.storage.unit_of_work import UnitOfWork
from shared.web import current_principal, require_roles


def _may_read(principal: Principal, record: dict[str, Any], what_id: str, what_en: str) -> None:
    readers = (record["nip"], record["atasan_nip"], record.get("appeal_decider_nip"))
    if principal.nip in readers or principal.has(Role.ADMIN):
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


def create_blueprint(uow: Callable[[], UnitOfWork], curve: Curve | None = None) -> Blueprint:
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

    @bp.route("/evaluations/<evaluation_id>/calibration", methods=["POST"])
    @bp.arguments(schemas.CalibrationIn)
    @bp.response(200, schemas.EvaluationOut)
    @require_roles(Role.ATASAN)
    def calibrate(data: dict[str, Any], evaluation_id: str) -> dict[str, Any]:
        """The appraiser sets the final predikat apart from the matrix, with a written reason (a revision).
        Setting it back to the matrix predikat removes the override. Refused once a keberatan is filed."""
        return results.calibrate(uow(), current_principal(), evaluation_id, data)

    @bp.route("/evaluations/<evaluation_id>/appeal", methods=["POST"])
    @bp.arguments(schemas.AppealIn)
    @bp.response(201, schemas.EvaluationOut)
    @require_roles(Role.PEGAWAI)
    def file_appeal(data: dict[str, Any], evaluation_id: str) -> dict[str, Any]:
        """Keberatan: the employee objects within 14 days of the result; the atasan pejabat penilai
        (the appraiser's own atasan) decides."""
        return results.file_appeal(uow(), current_principal(), evaluation_id, data)

    @bp.route("/evaluations/<evaluation_id>/appeal/decision", methods=["POST"])
    @bp.arguments(schemas.AppealDecisionIn)
    @bp.response(200, schemas.EvaluationOut)
    @require_roles(Role.ATASAN)
    def decide_appeal(data: dict[str, Any], evaluation_id: str) -> dict[str, Any]:
        """The atasan pejabat penilai decides the keberatan (final); an accepted one sets the predikat."""
        return results.decide_appeal(uow(), current_principal(), evaluation_id, data)

    @bp.route("/appeals")
    @bp.arguments(schemas.AppealQuery, location="query")
    @bp.response(200, schemas.EvaluationOut(many=True))
    def list_appeals(query: dict[str, Any]) -> list[dict[str, Any]]:
        """Evaluations with a keberatan for you to decide (admins: the instansi's)."""
        principal = current_principal()
        filters = {"appeal_status": query.get("status")}
        if not principal.has(Role.ADMIN):
            filters["appeal_decider_nip"] = principal.nip
        rows = handlers.list_evaluations(uow(), principal, limit=query["limit"], offset=query["offset"], **filters)
        return [row for row in rows if row["appeal"]]

    @bp.route("/periods/<int:period_year>/<period>/close", methods=["POST"])
    @bp.arguments(schemas.CloseIn)
    @bp.response(202, schemas.CloseOut)
    def close_period(data: dict[str, Any], period_year: int, period: str) -> dict[str, Any]:
        """Close a period: every employee with an approved plan in the scope (admin: the instansi or a
        unit with its sub-units; atasan: their subordinates) is evaluated by the workers. Safe to repeat:
        new results are completed, changed ones revised, the rest left unchanged."""
        _check_period(period_year, period)
        return period_close.request_close(uow(), current_principal(), period_year, period, data.get("unit_id"))

    @bp.route("/period-closes/<close_id>")
    @bp.response(200, schemas.CloseOut)
    def get_close(close_id: str) -> dict[str, Any]:
        """Progress of a close: counts per status and who is incomplete and why."""
        return period_close.get_close(uow(), current_principal(), close_id)

    @bp.route("/units/<unit_id>/organisation-predikat", methods=["POST"])
    @bp.arguments(schemas.OrganisationPredikatIn)
    @bp.response(201, schemas.OrganisationPredikatOut)
    @require_roles(Role.ATASAN, Role.ADMIN)
    def set_organisation_predikat(data: dict[str, Any], unit_id: str) -> dict[str, Any]:
        """The head of the unit above (or the instansi admin) sets the unit's organisation predikat."""
        return organisation_handlers.set_organisation_predikat(uow(), current_principal(), unit_id, data)

    @bp.route("/units/<unit_id>/distribution")
    @bp.arguments(schemas.PeriodQuery, location="query")
    @bp.response(200, schemas.DistributionOut)
    def distribution(query: dict[str, Any], unit_id: str) -> dict[str, Any]:
        """The unit's final employee predikat checked against the curve of its organisation predikat."""
        return organisation_handlers.distribution(
            uow(), current_principal(), unit_id, query["period_year"], query["period"], curve
        )

    @bp.route("/units/<unit_id>/ikm", methods=["POST"])
    @bp.arguments(schemas.IkmIn)
    @bp.response(201, schemas.PublicInputOut)
    @require_roles(Role.ATASAN, Role.ADMIN)
    def record_ikm(data: dict[str, Any], unit_id: str) -> dict[str, Any]:
        """Record survey responses (PermenPANRB 14/2017) for a unit that serves the public."""
        return organisation_handlers.record_ikm(uow(), current_principal(), unit_id, data)

    @bp.route("/units/<unit_id>/complaints", methods=["POST"])
    @bp.arguments(schemas.ComplaintIn)
    @bp.response(200, schemas.ComplaintOut)
    @require_roles(Role.ATASAN, Role.ADMIN)
    def record_complaint(data: dict[str, Any], unit_id: str) -> dict[str, Any]:
        """Record or update a complaint (received, first response, resolved) by its id."""
        return organisation_handlers.record_complaint(uow(), current_principal(), unit_id, data)

    @bp.route("/units/<unit_id>/public-input")
    @bp.arguments(schemas.PeriodQuery, location="query")
    @bp.response(200, schemas.PublicInputOut)
    def public_input(query: dict[str, Any], unit_id: str) -> dict[str, Any]:
        """The unit's IKM (index, grade, element averages) and complaint handling for the period."""
        return organisation_handlers.public_input(
            uow(), current_principal(), unit_id, query["period_year"], query["period"]
        )

    @bp.route("/rater-bias")
    @bp.arguments(schemas.PeriodQuery, location="query")
    @bp.response(200, schemas.RaterBiasOut)
    def rater_bias(query: dict[str, Any]) -> dict[str, Any]:
        """Each appraiser's ratings against the organisation, peers, the public and indicator evidence,
        with leniency, severity and central-tendency flags (admin)."""
        return organisation_handlers.rater_bias_report(
            uow(), current_principal(), query["period_year"], query["period"]
        )

    return bp


def _check_period(period_year: int, period: str) -> None:
    if period not in PERIODS or not 2000 <= period_year <= 2100:
        raise DomainError(
            "invalid_period",
            f"Periode tidak dikenal: {period_year} {period} (tahun 2000–2100; annual, Q1–Q4).",
            f"Unknown period: {period_year} {period} (year 2000–2100; annual, Q1–Q4).",
            field="period",
        )
