"""Agency webhook subscriptions. The secret is stored to sign with; it is never logged or listed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from services.notifications.adapters.tables import webhook_subscriptions
from shared.storage import session_cache

PUBLIC = ("subscription_id", "tenant", "agency", "url", "event_types", "description", "active", "created_at")


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def add(session: Session, row: dict[str, Any]) -> None:
    session.execute(insert(webhook_subscriptions).values(**row))
    session_cache.forget(session, "active_subscriptions", row["tenant"])


def find(session: Session, subscription_id: str) -> dict[str, Any] | None:
    found = (
        session.execute(select(webhook_subscriptions).where(webhook_subscriptions.c.subscription_id == subscription_id))
        .mappings()
        .first()
    )
    if not found:
        return None
    row = dict(found)
    row["created_at"] = _utc(row["created_at"])
    return row


def of_agency(session: Session, tenant: str, agency: str) -> list[dict[str, Any]]:
    query = (
        select(webhook_subscriptions)
        .where(webhook_subscriptions.c.tenant == tenant, webhook_subscriptions.c.agency == agency)
        .order_by(webhook_subscriptions.c.created_at)
    )
    return [{**dict(r), "created_at": _utc(r["created_at"])} for r in session.execute(query).mappings()]


def active_for(session: Session, tenant: str, event_type: str) -> list[dict[str, Any]]:
    """Subscriptions that receive this event: same instansi only, active, subscribed to the type."""

    def load() -> list[dict[str, Any]]:
        t = webhook_subscriptions
        query = select(t).where(t.c.tenant == tenant, t.c.active.is_(True))
        return [dict(r) for r in session.execute(query).mappings()]

    # Read once per transaction (the statement too is built only then): a consumer batch asks for
    # every event of the instansi.
    active = session_cache.cached(session, "active_subscriptions", tenant, load)
    return [sub for sub in active if event_type in (sub["event_types"] or [])]


def change(session: Session, subscription_id: str, **values: Any) -> None:
    session.execute(
        update(webhook_subscriptions).where(webhook_subscriptions.c.subscription_id == subscription_id).values(**values)
    )
    session_cache.clear(session)  # whichever instansi it belongs to, its list is read anew
