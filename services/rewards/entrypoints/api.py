"""Rewards' HTTP API: /api/v1/decisions (rewards and coachings) and /api/v1/policies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from services.rewards.adapters.policies import PolicyBook
from services.rewards.entrypoints import schemas
from services.rewards.service_layer import handlers
from shared.auth import Principal, Role
from shared.errors import Forbidden
from shared.storage.unit_of_work import UnitOfWork
from shared.web import current_principal, require_roles


def _may_read(principal: Principal, decision: dict[str, Any]) -> None:
    """The employee, the instansi admin, and for a coaching the coach (the atasan) may read it."""
    coach = decision["details"].get("coach_nip") if decision["kind"] == "coaching" else None
    if principal.nip in (decision["nip"], coach) or principal.has(Role.ADMIN):
        return
    raise Forbidden(
        "Hanya pegawai yang bersangkutan, pembinanya, atau admin instansi yang dapat melihat keputusan ini.",
        "Only the employee, their coach or the instansi admin may read this decision.",
    )


def create_decisions_blueprint(uow: Callable[[], UnitOfWork]) -> Blueprint:
    bp = Blueprint(
        "decisions",
        __name__,
        url_prefix="/api/v1/decisions",
        description="Consequences of annual evaluations: rewards (incentive, awards, promotion) and pembinaan.",
    )

    @bp.route("")
    class DecisionCollection(MethodView):
        @bp.arguments(schemas.DecisionQuery, location="query")
        @bp.response(200, schemas.DecisionOut(many=True))
        def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
            """List decisions: your own or, for the instansi admin, anyone's in the instansi."""
            principal = current_principal()
            if not principal.has(Role.ADMIN):
                query.setdefault("nip", principal.nip)
                if query["nip"] != principal.nip:
                    raise Forbidden(
                        "Anda hanya dapat melihat keputusan Anda sendiri.",
                        "You may only list your own decisions.",
                    )
            return handlers.list_decisions(uow(), principal, **query)

    @bp.route("/<decision_id>")
    class DecisionItem(MethodView):
        @bp.response(200, schemas.DecisionOut)
        def get(self, decision_id: str) -> dict[str, Any]:
            """Read one decision (reward-… or coaching-…)."""
            principal = current_principal()
            decision = handlers.get_decision(uow(), principal, decision_id)
            _may_read(principal, decision)
            return decision

    return bp


def create_policies_blueprint(policies: PolicyBook) -> Blueprint:
    bp = Blueprint(
        "policies",
        __name__,
        url_prefix="/api/v1/policies",
        description="The rewards policy (versioned configuration) in force for your instansi.",
    )

    @bp.route("/current", methods=["GET"])
    @bp.response(200, schemas.PolicyOut)
    @require_roles(Role.ADMIN)
    def current() -> dict[str, Any]:
        """The effective policy for the caller's instansi (admin instansi only)."""
        return handlers.policy_view(policies.for_tenant(current_principal().tenant))

    return bp
