"""Planning's HTTP API: /api/v1/skp."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from services.planning.entrypoints import schemas
from services.planning.service_layer import handlers
from shared.auth import Principal, Role
from shared.errors import Forbidden
from shared.storage.unit_of_work import UnitOfWork
from shared.web import current_principal, require_roles


def _may_read(principal: Principal, skp: dict[str, Any]) -> None:
    if principal.nip in (skp["nip"], skp["atasan_nip"]) or principal.has(Role.ADMIN):
        return
    raise Forbidden(
        "Hanya pegawai, atasannya, atau admin instansi yang dapat melihat SKP ini.",
        "Only the employee, their atasan or the instansi admin may read this SKP.",
    )


def create_blueprint(uow: Callable[[], UnitOfWork]) -> Blueprint:
    bp = Blueprint(
        "skp",
        __name__,
        url_prefix="/api/v1/skp",
        description="SKP work plans: draft, submit, approve or return, report realisasi.",
    )

    @bp.route("")
    class SkpCollection(MethodView):
        @bp.arguments(schemas.SkpQuery, location="query")
        @bp.response(200, schemas.SkpOut(many=True))
        def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
            """List SKPs: your own, your subordinates' (atasan_nip = you) or, for admins, the instansi's."""
            principal = current_principal()
            if not principal.has(Role.ADMIN):
                if not query.get("nip") and not query.get("atasan_nip"):
                    query["nip"] = principal.nip
                if principal.nip not in (query.get("nip"), query.get("atasan_nip")):
                    raise Forbidden(
                        "Anda hanya dapat melihat SKP Anda sendiri atau bawahan Anda.",
                        "You may only list your own SKPs or your subordinates'.",
                    )
            return handlers.list_skp(uow(), principal, **query)

        @bp.arguments(schemas.SkpCreate)
        @bp.response(201, schemas.SkpOut)
        @require_roles(Role.PEGAWAI)
        def post(self, data: dict[str, Any]) -> dict[str, Any]:
            """Draft your SKP for a period (one per employee and period)."""
            return handlers.draft_skp(uow(), current_principal(), data)

    @bp.route("/<skp_id>")
    class SkpItem(MethodView):
        @bp.response(200, schemas.SkpOut)
        def get(self, skp_id: str) -> dict[str, Any]:
            """Read one SKP with its realisasi."""
            principal = current_principal()
            skp = handlers.get_skp(uow(), principal, skp_id)
            _may_read(principal, skp)
            return skp

    @bp.route("/<skp_id>/revise", methods=["POST"])
    @bp.arguments(schemas.SkpRevise)
    @bp.response(200, schemas.SkpOut)
    @require_roles(Role.PEGAWAI)
    def revise(data: dict[str, Any], skp_id: str) -> dict[str, Any]:
        """Replace the RHK of a draft or returned SKP."""
        return handlers.revise_skp(uow(), current_principal(), skp_id, data["rhk"])

    @bp.route("/<skp_id>/submit", methods=["POST"])
    @bp.response(200, schemas.SkpOut)
    @require_roles(Role.PEGAWAI)
    def submit(skp_id: str) -> dict[str, Any]:
        """Submit your SKP to your atasan."""
        return handlers.submit_skp(uow(), current_principal(), skp_id)

    @bp.route("/<skp_id>/approve", methods=["POST"])
    @bp.response(200, schemas.SkpOut)
    @require_roles(Role.ATASAN)
    def approve(skp_id: str) -> dict[str, Any]:
        """Approve a subordinate's submitted SKP (the atasan only)."""
        return handlers.approve_skp(uow(), current_principal(), skp_id)

    @bp.route("/<skp_id>/return", methods=["POST"])
    @bp.arguments(schemas.SkpReturn)
    @bp.response(200, schemas.SkpOut)
    @require_roles(Role.ATASAN)
    def return_(data: dict[str, Any], skp_id: str) -> dict[str, Any]:
        """Return a submitted SKP to the employee with a reason."""
        return handlers.return_skp(uow(), current_principal(), skp_id, data["reason"])

    @bp.route("/<skp_id>/realisasi", methods=["POST"])
    @bp.arguments(schemas.ProgressIn)
    @bp.response(200, schemas.SkpOut)
    @require_roles(Role.PEGAWAI)
    def report(data: dict[str, Any], skp_id: str) -> dict[str, Any]:
        """Report realisasi of one IKI for a quarter of an approved SKP."""
        return handlers.report_progress(uow(), current_principal(), skp_id, data)

    return bp
