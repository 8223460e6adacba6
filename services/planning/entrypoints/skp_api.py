"""Planning's SKP API: /api/v1/skp — plans, decisions, amendments, realisasi, evidence, history,
cascade tree."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask import Response, request, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge

from services.planning.adapters.evidence_files import MAX_EVIDENCE_BYTES
from services.planning.entrypoints import schemas
from services.planning.service_layer import evidence, skp_handlers, skp_queries
from shared.auth import Principal, Role
from shared.contracts.vocabulary import Aspect, BerakhlakValue, Perspective, PositionKind, RhkKind, values
from shared.errors import Forbidden
from shared.storage.unit_of_work import UnitOfWork
from shared.web import current_principal, require_roles

TEMPLATES = [
    {
        "template": "jpt",
        "name": "SKP Jabatan Pimpinan Tinggi",
        "for_positions": [PositionKind.JPT.value],
        "perspectives": values(Perspective),
        "aspects": values(Aspect),
        "rhk_kinds": values(RhkKind),
        "expectations_by": values(BerakhlakValue),
        "annex": ["dukungan_sumber_daya", "skema_pertanggungjawaban", "konsekuensi"],
    },
    {
        "template": "ja_jf",
        "name": "SKP Jabatan Administrasi dan Jabatan Fungsional",
        "for_positions": [k.value for k in PositionKind if k != PositionKind.JPT],
        "perspectives": [],
        "aspects": values(Aspect),
        "rhk_kinds": values(RhkKind),
        "expectations_by": values(BerakhlakValue),
        "annex": ["dukungan_sumber_daya", "skema_pertanggungjawaban", "konsekuensi"],
    },
]


def may_read(principal: Principal, skp: dict[str, Any]) -> None:
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
        description="SKP work plans: draft, submit, approve or return, amend, report realisasi with evidence.",
    )

    def readable(skp_id: str) -> dict[str, Any]:
        principal = current_principal()
        skp = skp_queries.get_skp(uow(), principal, skp_id)
        may_read(principal, skp)
        return skp

    @bp.before_request
    def _allow_evidence_uploads() -> None:
        # Evidence files may be larger than the JSON bodies every other route is limited to.
        if request.endpoint == "skp.upload_evidence":
            request.max_content_length = MAX_EVIDENCE_BYTES + 64 * 1024

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
            return skp_queries.list_skp(uow(), principal, **query)

        @bp.arguments(schemas.SkpCreate)
        @bp.response(201, schemas.SkpOut)
        @require_roles(Role.PEGAWAI)
        def post(self, data: dict[str, Any]) -> dict[str, Any]:
            """Draft your SKP for a period (one per employee and period), cascaded from your atasan's."""
            return skp_handlers.draft_skp(uow(), current_principal(), data)

    @bp.route("/team")
    @bp.arguments(schemas.TeamQuery, location="query")
    @bp.response(200, schemas.TeamMemberOut(many=True))
    @require_roles(Role.ATASAN, Role.ADMIN)
    def team(query: dict[str, Any]) -> list[dict[str, Any]]:
        """Your direct subordinates and their plan status (not started, draft, submitted, …)."""
        principal = current_principal()
        atasan_nip = query.get("atasan_nip") or principal.nip
        if atasan_nip != principal.nip and not principal.has(Role.ADMIN):
            raise Forbidden("Anda hanya dapat melihat tim Anda sendiri.", "You may only see your own team.")
        return skp_queries.team(uow(), principal, atasan_nip, query["period_year"])

    @bp.route("/templates")
    @bp.response(200, schemas.TemplateOut(many=True))
    def templates() -> list[dict[str, Any]]:
        """The SKP templates: JPT (by perspective) and JA/JF (by IKI aspect)."""
        return TEMPLATES

    @bp.route("/<skp_id>")
    @bp.response(200, schemas.SkpOut)
    def get_one(skp_id: str) -> dict[str, Any]:
        """Read one SKP with its realisasi, feedback and any pending amendment."""
        return readable(skp_id)

    @bp.route("/<skp_id>/history")
    @bp.response(200, schemas.HistoryEntryOut(many=True))
    def history(skp_id: str) -> list[dict[str, Any]]:
        """Every step of the SKP, with who took it and when — amendments with their reasons."""
        readable(skp_id)
        return skp_queries.skp_history(uow(), current_principal(), skp_id)

    @bp.route("/<skp_id>/cascade")
    @bp.response(200, schemas.CascadeOut)
    def cascade(skp_id: str) -> dict[str, Any]:
        """The cascade from this SKP's RHK down to every RHK that intervenes them, with coverage."""
        readable(skp_id)
        return skp_queries.cascade_tree(uow(), current_principal(), skp_id)

    @bp.route("/<skp_id>/revise", methods=["POST"])
    @bp.arguments(schemas.SkpRevise)
    @bp.response(200, schemas.SkpOut)
    @require_roles(Role.PEGAWAI)
    def revise(data: dict[str, Any], skp_id: str) -> dict[str, Any]:
        """Replace the content of a draft or returned SKP (send rhk_id/iki_id to keep items)."""
        return skp_handlers.revise_skp(uow(), current_principal(), skp_id, data)

    @bp.route("/<skp_id>/submit", methods=["POST"])
    @bp.response(200, schemas.SkpOut)
    @require_roles(Role.PEGAWAI)
    def submit(skp_id: str) -> dict[str, Any]:
        """Submit your SKP to your atasan (every RHK utama must be cascaded)."""
        return skp_handlers.submit_skp(uow(), current_principal(), skp_id)

    @bp.route("/<skp_id>/approve", methods=["POST"])
    @bp.response(200, schemas.SkpOut)
    @require_roles(Role.ATASAN)
    def approve(skp_id: str) -> dict[str, Any]:
        """Approve a subordinate's submitted SKP (the atasan only)."""
        return skp_handlers.approve_skp(uow(), current_principal(), skp_id)

    @bp.route("/<skp_id>/return", methods=["POST"])
    @bp.arguments(schemas.ReasonIn)
    @bp.response(200, schemas.SkpOut)
    @require_roles(Role.ATASAN)
    def return_(data: dict[str, Any], skp_id: str) -> dict[str, Any]:
        """Return a submitted SKP to the employee with a reason."""
        return skp_handlers.return_skp(uow(), current_principal(), skp_id, data["reason"])

    @bp.route("/<skp_id>/expectations", methods=["PUT"])
    @bp.arguments(schemas.ExpectationsIn)
    @bp.response(200, schemas.SkpOut)
    @require_roles(Role.ATASAN)
    def expectations(data: dict[str, Any], skp_id: str) -> dict[str, Any]:
        """Set the leader's expectations per BerAKHLAK value (ekspektasi khusus pimpinan)."""
        return skp_handlers.set_expectations(uow(), current_principal(), skp_id, data["expectations"])

    @bp.route("/<skp_id>/amendments", methods=["POST"])
    @bp.arguments(schemas.AmendmentIn)
    @bp.response(200, schemas.SkpOut)
    @require_roles(Role.PEGAWAI)
    def propose_amendment(data: dict[str, Any], skp_id: str) -> dict[str, Any]:
        """Propose an amendment of your approved SKP, with a reason; your atasan decides."""
        return skp_handlers.propose_amendment(uow(), current_principal(), skp_id, data)

    @bp.route("/<skp_id>/amendments/approve", methods=["POST"])
    @bp.response(200, schemas.SkpOut)
    @require_roles(Role.ATASAN)
    def approve_amendment(skp_id: str) -> dict[str, Any]:
        """Agree to the pending amendment: the amended plan replaces the approved one."""
        return skp_handlers.approve_amendment(uow(), current_principal(), skp_id)

    @bp.route("/<skp_id>/amendments/reject", methods=["POST"])
    @bp.arguments(schemas.ReasonIn)
    @bp.response(200, schemas.SkpOut)
    @require_roles(Role.ATASAN)
    def reject_amendment(data: dict[str, Any], skp_id: str) -> dict[str, Any]:
        """Reject the pending amendment with a reason; the approved plan stays."""
        return skp_handlers.reject_amendment(uow(), current_principal(), skp_id, data["reason"])

    @bp.route("/<skp_id>/realisasi", methods=["POST"])
    @bp.arguments(schemas.ProgressIn)
    @bp.response(200, schemas.SkpOut)
    @require_roles(Role.PEGAWAI)
    def report(data: dict[str, Any], skp_id: str) -> dict[str, Any]:
        """Report realisasi of one IKI for a quarter of an approved SKP, with evidence."""
        return skp_handlers.report_progress(uow(), current_principal(), skp_id, data)

    @bp.route("/<skp_id>/realisasi/feedback", methods=["POST"])
    @bp.arguments(schemas.FeedbackIn)
    @bp.response(200, schemas.SkpOut)
    @require_roles(Role.ATASAN)
    def feedback(data: dict[str, Any], skp_id: str) -> dict[str, Any]:
        """Give feedback on a realisasi entry (umpan balik berkelanjutan)."""
        return skp_handlers.give_feedback(uow(), current_principal(), skp_id, data)

    @bp.route("/<skp_id>/evidence", methods=["POST"])
    @bp.arguments(schemas.EvidenceUpload, location="files")
    @bp.response(201, schemas.EvidenceOut)
    @require_roles(Role.PEGAWAI)
    def upload_evidence(files: dict[str, Any], skp_id: str) -> dict[str, Any]:
        """Upload a bukti dukung file; reference its file_id when reporting realisasi."""
        upload = files["file"]
        content = upload.read(MAX_EVIDENCE_BYTES + 1)
        if len(content) > MAX_EVIDENCE_BYTES:
            raise RequestEntityTooLarge()
        return evidence.upload_evidence(uow(), current_principal(), skp_id, upload.filename or "", content)

    @bp.route("/<skp_id>/evidence/<file_id>")
    @bp.response(200, description="The file, as uploaded.")
    def download_evidence(skp_id: str, file_id: str) -> Response:
        """Download a bukti dukung file of an SKP you may read."""
        readable(skp_id)
        found = evidence.download_evidence(uow(), current_principal(), skp_id, file_id)
        return send_file(
            io.BytesIO(found["content"]),
            mimetype=found["content_type"],
            as_attachment=True,
            download_name=found["filename"],
        )

    return bp
