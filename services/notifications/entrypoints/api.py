"""Notifications' HTTP API: the inbox, preferences, deliveries (admin), campaigns (admin) and webhooks (agency)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from services.notifications.entrypoints import schemas
from services.notifications.service_layer import handlers
from shared.auth import Role
from shared.i18n import pick_language
from shared.storage.unit_of_work import UnitOfWork
from shared.web import current_principal, require_roles

# People have inboxes; an agency's token (a system, not a person) does not.
PEOPLE = (Role.PEGAWAI, Role.ATASAN, Role.ADMIN)


def _localised(row: dict[str, Any], preferred: str = "id") -> dict[str, Any]:
    asked = request.args.get("lang") or request.headers.get("Accept-Language")
    lang = pick_language(request.args.get("lang"), request.headers.get("Accept-Language")) if asked else preferred
    return {
        "notice_id": row["notice_id"],
        "event_type": row["event_type"],
        "title": row[f"title_{lang}"],
        "body": row[f"body_{lang}"],
        "created_at": row["created_at"],
        "read_at": row["read_at"],
    }


def create_blueprint(uow: Callable[[], UnitOfWork]) -> Blueprint:
    bp = Blueprint(
        "notices",
        __name__,
        url_prefix="/api/v1/notices",
        description="Your own in-app notices, in Bahasa Indonesia (default) or English.",
    )

    @bp.route("")
    class Inbox(MethodView):
        @bp.arguments(schemas.InboxQuery, location="query")
        @bp.response(200, schemas.NoticeOut(many=True))
        @require_roles(*PEOPLE)
        def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
            """Your notices, newest first."""
            principal = current_principal()
            rows = handlers.list_notices(
                uow(), principal, unread=query.get("unread"), limit=query["limit"], offset=query["offset"]
            )
            preferred = handlers.preferred_language(uow(), principal)
            return [_localised(row, preferred) for row in rows]

    @bp.route("/unread-count")
    class UnreadCount(MethodView):
        @bp.response(200, schemas.UnreadCountOut)
        @require_roles(*PEOPLE)
        def get(self) -> dict[str, int]:
            """How many of your notices are unread."""
            return {"unread": handlers.unread_count(uow(), current_principal())}

    @bp.route("/<notice_id>")
    class NoticeItem(MethodView):
        @bp.arguments(schemas.LangQuery, location="query")
        @bp.response(200, schemas.NoticeOut)
        @require_roles(*PEOPLE)
        def get(self, _query: dict[str, Any], notice_id: str) -> dict[str, Any]:
            """One of your notices."""
            principal = current_principal()
            return _localised(
                handlers.get_notice(uow(), principal, notice_id), handlers.preferred_language(uow(), principal)
            )

    @bp.route("/<notice_id>/read", methods=["POST"])
    @bp.arguments(schemas.LangQuery, location="query")
    @bp.response(200, schemas.NoticeOut)
    @require_roles(*PEOPLE)
    def mark_read(_query: dict[str, Any], notice_id: str) -> dict[str, Any]:
        """Mark one of your notices as read (again: no change)."""
        principal = current_principal()
        return _localised(
            handlers.mark_read(uow(), principal, notice_id), handlers.preferred_language(uow(), principal)
        )

    return bp
