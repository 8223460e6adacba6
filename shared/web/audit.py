"""The audit trail of a service, read from its own event store: who changed what, when and why.

Every aggregate change is an event in `event_store` with the actor (NIP of the person; the service's
name or "system" when the worker acted on another service's event), the time and the data — the
reason included where the command takes one (a return, a calibration, a keberatan decision, a policy
change, a revocation, a coaching summary). `GET /api/v1/audit` lists them for the admin of the
instansi, newest first, only of the caller's instansi; another instansi's entries are never returned,
whatever the filters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import Table, select

from shared.auth import Role
from shared.storage.unit_of_work import UnitOfWork
from shared.web.app import current_principal, require_roles

REASON_KEYS = ("reason", "revision_reason", "reason_text", "note", "notes", "summary")


class AuditQuery(Schema):
    aggregate_id = fields.String(validate=validate.Length(min=1, max=200), metadata={"description": "One aggregate"})
    actor = fields.String(validate=validate.Length(min=1, max=60), metadata={"description": "NIP of who acted"})
    event_type = fields.String(validate=validate.Length(min=1, max=120))
    since = fields.AwareDateTime(metadata={"description": "ISO 8601 with offset, inclusive"})
    until = fields.AwareDateTime(metadata={"description": "ISO 8601 with offset, exclusive"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))


class AuditEntry(Schema):
    aggregate_id = fields.String(required=True)
    aggregate_type = fields.String(required=True)
    version = fields.Integer(required=True)
    event_type = fields.String(required=True)
    actor = fields.String(
        allow_none=True, metadata={"description": "NIP, or the service / 'system' when a worker acted on an event"}
    )
    occurred_at = fields.DateTime(required=True)
    reason = fields.String(allow_none=True, metadata={"description": "The reason given with the change, if any"})
    correlation_id = fields.String(required=True)
    causation_id = fields.String(allow_none=True)
    data = fields.Dict(required=True, metadata={"description": "The event's data as stored"})


def reason_of(data: dict[str, Any]) -> str | None:
    for key in REASON_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def read_audit(uow: UnitOfWork, event_store: Table, tenant: str, query: dict[str, Any]) -> list[dict[str, Any]]:
    c = event_store.c
    stmt = select(event_store).where(c.tenant == tenant)
    for key in ("aggregate_id", "actor", "event_type"):
        if query.get(key):
            stmt = stmt.where(c[key] == query[key])
    if query.get("since"):
        stmt = stmt.where(c.occurred_at >= query["since"])
    if query.get("until"):
        stmt = stmt.where(c.occurred_at < query["until"])
    stmt = stmt.order_by(c.occurred_at.desc(), c.aggregate_id, c.version.desc())
    stmt = stmt.limit(query.get("limit", 100)).offset(query.get("offset", 0))
    with uow:
        rows = uow.session.execute(stmt).mappings().all()
    return [
        {
            "aggregate_id": row["aggregate_id"],
            "aggregate_type": row["aggregate_type"],
            "version": row["version"],
            "event_type": row["event_type"],
            "actor": row["actor"],
            "occurred_at": row["occurred_at"],
            "reason": reason_of(row["data"] or {}),
            "correlation_id": row["correlation_id"],
            "causation_id": row["causation_id"],
            "data": row["data"] or {},
        }
        for row in rows
    ]


def create_audit_blueprint(uow: Callable[[], UnitOfWork], event_store: Table) -> Blueprint:
    bp = Blueprint(
        "audit",
        __name__,
        url_prefix="/api/v1/audit",
        description="Audit trail from the service's event store: who changed which record, when and why "
        "(admin of the instansi; only the instansi's own records).",
    )

    @bp.route("")
    class AuditTrail(MethodView):
        @bp.arguments(AuditQuery, location="query")
        @bp.response(200, AuditEntry(many=True))
        @require_roles(Role.ADMIN)
        def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
            """Changes of the instansi's records, newest first; filter by aggregate, actor, event type, time."""
            return read_audit(uow(), event_store, current_principal().tenant, query)

    return bp
