"""Rewards' HTTP API: decisions, pembinaan (coaching), policies, budgets, the incentive register."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from services.rewards.adapters.policies import PolicySchema, policy_from_data
from services.rewards.entrypoints import schemas
from services.rewards.service_layer import handlers
from services.rewards.service_layer.handlers import RewardsConfig
from shared.auth import Role
from shared.storage.unit_of_work import UnitOfWork
from shared.web import current_principal, require_roles

UowFactory = Callable[[], UnitOfWork]


def create_decisions_blueprint(uow: UowFactory) -> Blueprint:
    bp = Blueprint(
        "decisions",
        __name__,
        url_prefix="/api/v1/decisions",
        description="Consequences of annual evaluations: rewards (incentive, awards, promotion, credit points) "
        "and pembinaan. Revoked decisions stay visible next to their replacements.",
    )

    @bp.route("")
    class DecisionCollection(MethodView):
        @bp.arguments(schemas.DecisionQuery, location="query")
        @bp.response(200, schemas.DecisionOut(many=True))
        def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
            """List decisions: yours; an atasan's also their subordinates'; admin and agencies: the instansi's."""
            return handlers.list_decisions(uow(), current_principal(), **query)

    @bp.route("/<decision_id>")
    class DecisionItem(MethodView):
        @bp.response(200, schemas.DecisionOut)
        def get(self, decision_id: str) -> dict[str, Any]:
            """Read one decision (reward-… or coaching-…)."""
            return handlers.get_decision(uow(), current_principal(), decision_id)

    @bp.route("/<decision_id>/history", methods=["GET"])
    @bp.response(200, schemas.StepOut(many=True))
    def history(decision_id: str) -> list[dict[str, Any]]:
        """Every step of the decision (granted or assigned, check-ins, closing, revocation, …), oldest first."""
        return handlers.decision_history(uow(), current_principal(), decision_id)

    return bp


def create_coaching_blueprint(uow: UowFactory) -> Blueprint:
    bp = Blueprint(
        "coaching",
        __name__,
        url_prefix="/api/v1/coaching",
        description="Pembinaan (PP 30/2019 arts. 56–58): improvement plans with the atasan as coach — check-ins, "
        "closing with an outcome, and the competency test after a plan without improvement.",
    )

    @bp.route("")
    class CoachingCollection(MethodView):
        @bp.arguments(schemas.CoachingQuery, location="query")
        @bp.response(200, schemas.DecisionOut(many=True))
        def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
            """Coaching plans you may see: yours, those you coach, your subordinates'; admin: the instansi's."""
            return handlers.list_decisions(uow(), current_principal(), kind="coaching", **query)

    @bp.route("/<coaching_id>")
    class CoachingItem(MethodView):
        @bp.response(200, schemas.DecisionOut)
        def get(self, coaching_id: str) -> dict[str, Any]:
            """One coaching plan with its goals, check-ins, outcome and competency test."""
            return handlers.get_decision(uow(), current_principal(), coaching_id)

    @bp.route("/<coaching_id>/check-ins", methods=["POST"])
    @bp.arguments(schemas.CheckInIn)
    @bp.response(201, schemas.DecisionOut)
    @bp.alt_response(409, description="Not allowed in the plan's state (e.g. closed or revoked).")
    @require_roles(Role.ATASAN)
    def check_in(body: dict[str, Any], coaching_id: str) -> dict[str, Any]:
        """The coach records a check-in (the first one starts the plan: assigned → in_progress)."""
        held_on = body.get("held_on") or datetime.now(UTC).date()
        return handlers.record_check_in(
            uow(), current_principal(), coaching_id, held_on=held_on, progress=body["progress"], notes=body["notes"]
        )

    @bp.route("/<coaching_id>/close", methods=["POST"])
    @bp.arguments(schemas.CloseIn)
    @bp.response(200, schemas.DecisionOut)
    @bp.alt_response(409, description="Not in progress (no check-in yet, already closed, or revoked).")
    @require_roles(Role.ATASAN)
    def close(body: dict[str, Any], coaching_id: str) -> dict[str, Any]:
        """The coach closes the plan: improved → closed; not improved → competency test."""
        return handlers.close_coaching(
            uow(), current_principal(), coaching_id, outcome=body["outcome"], summary=body["summary"]
        )

    @bp.route("/<coaching_id>/competency-test", methods=["POST"])
    @bp.arguments(schemas.CompetencyTestIn)
    @bp.response(200, schemas.DecisionOut)
    @bp.alt_response(409, description="No competency test is due for this plan.")
    @require_roles(Role.ADMIN)
    def competency_test(body: dict[str, Any], coaching_id: str) -> dict[str, Any]:
        """The instansi admin records the competency test and, if not competent, the reassignment."""
        return handlers.record_competency_test(
            uow(),
            current_principal(),
            coaching_id,
            result=body["result"],
            reassigned_to=body["reassigned_to"],
            notes=body["notes"],
        )

    return bp


def create_policies_blueprint(uow: UowFactory, config: RewardsConfig) -> Blueprint:
    bp = Blueprint(
        "policies",
        __name__,
        url_prefix="/api/v1/policies",
        description="The rewards policy of your instansi: versions with effective_from, never edited in place.",
    )

    @bp.route("")
    class PolicyCollection(MethodView):
        @bp.response(200, schemas.PolicyOut(many=True))
        @require_roles(Role.ADMIN, Role.AGENCY)
        def get(self) -> list[dict[str, Any]]:
            """Every version that applies to your instansi, in publication order; `in_force` marks today's."""
            return handlers.policy_versions(uow(), config, current_principal().tenant)

        @bp.arguments(PolicySchema)
        @bp.response(201, schemas.PolicyOut)
        @bp.alt_response(409, description="The version name is taken (versions are never edited).")
        @require_roles(Role.ADMIN)
        def post(self, body: dict[str, Any]) -> dict[str, Any]:
            """Publish a new version (the whole policy document). Past decisions keep their version; to
            re-decide a period under it, POST /api/v1/periods/{year}/rerun."""
            principal = current_principal()
            policy = policy_from_data(body, principal.tenant, source="published")
            return handlers.publish_policy(uow(), config, principal, policy)

    @bp.route("/current", methods=["GET"])
    @bp.response(200, schemas.PolicyOut)
    @require_roles(Role.ADMIN, Role.AGENCY)
    def current() -> dict[str, Any]:
        """The version in force today for your instansi."""
        return handlers.current_policy(uow(), config, current_principal().tenant)

    return bp


def _checked_year(period_year: int) -> int:
    """A period year in the path is validated like one in a body (a year like 9999 used to end in a 500)."""
    if not 2000 <= period_year <= 2100:
        abort(422, messages={"path": {"period_year": ["Tahun 2000–2100. / A year from 2000 to 2100."]}})
    return period_year


def create_operations_blueprint(uow: UowFactory, config: RewardsConfig) -> Blueprint:
    bp = Blueprint(
        "operations",
        __name__,
        url_prefix="/api/v1",
        description="Budgets, the incentive register for finance (BPKAD), and re-running a period under a new policy.",
    )

    @bp.route("/periods/<int:period_year>/rerun", methods=["POST"])
    @bp.response(200, schemas.RerunOut)
    @require_roles(Role.ADMIN)
    def rerun(period_year: int) -> dict[str, Any]:
        """Re-decide the period's annual results under the policy version now in effect for it: each
        decision from another version is revoked (reward.revoked) and replaced."""
        return handlers.rerun_period(uow(), config, current_principal(), _checked_year(period_year))

    @bp.route("/budgets/<int:period_year>/<unit_id>", methods=["PUT"])
    @bp.arguments(schemas.BudgetIn)
    @bp.response(200, schemas.BudgetOut)
    @require_roles(Role.ADMIN)
    def put_budget(body: dict[str, Any], period_year: int, unit_id: str) -> dict[str, Any]:
        """Set a unit's incentive budget (rupiah per year) for the incentives decided from a period."""
        return handlers.set_budget(uow(), current_principal(), unit_id[:60], _checked_year(period_year), body["amount"])

    @bp.route("/incentive-register", methods=["GET"])
    @bp.arguments(schemas.RegisterQuery, location="query")
    @bp.response(200, schemas.RegisterOut)
    @require_roles(Role.ADMIN, Role.AGENCY)
    def register(query: dict[str, Any]) -> dict[str, Any]:
        """The period's incentives per unit: claims, budget and what is payable (decisions in force only)."""
        return handlers.read_register(uow(), config, current_principal(), query["period_year"])

    @bp.route("/incentive-register.csv", methods=["GET"])
    @bp.arguments(schemas.RegisterQuery, location="query")
    @bp.response(200, content_type="text/csv", description="One row per employee, header first.")
    @require_roles(Role.ADMIN, Role.AGENCY)
    def register_csv(query: dict[str, Any]) -> Response:
        """The incentive register as CSV for finance (BPKAD)."""
        register = handlers.read_register(uow(), config, current_principal(), query["period_year"])
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
        writer.writeheader()
        for row in register["rows"]:
            writer.writerow({**row, "budget_behaviour": register["budget_behaviour"]})
        filename = f"register-insentif-{current_principal().tenant}-{query['period_year']}.csv"
        return Response(
            out.getvalue(),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    return bp


CSV_COLUMNS = [
    "nip",
    "employee_name",
    "unit_id",
    "unit_name",
    "period_year",
    "predikat",
    "incentive_percentage",
    "base_amount",
    "gross_amount",
    "payable_amount",
    "budget_status",
    "budget_behaviour",
    "policy_version",
    "decision_id",
]
