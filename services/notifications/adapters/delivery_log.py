"""The delivery log: one row per (notice, e-mail) or (event, webhook subscription), every attempt kept.

Several worker copies share the work by claiming a due row with a conditional UPDATE (the row is
theirs only if their UPDATE changed it), so a delivery is never sent by two copies at once.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, insert, or_, select, update
from sqlalchemy.orm import Session

from services.notifications.adapters.tables import deliveries, delivery_attempts
from shared.storage import deferred_writes

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _row(found: Any) -> dict[str, Any]:
    row = dict(found)
    for name in ("next_attempt_at", "claimed_until", "created_at", "delivered_at"):
        row[name] = _utc(row[name])
    return row


def add(
    session: Session,
    *,
    tenant: str,
    channel: str,
    source_event_id: str,
    source_event_type: str,
    address: str,
    payload: str,
    notice_id: str | None = None,
    recipient_nip: str | None = None,
    subscription_id: str | None = None,
    at: datetime,
) -> str:
    delivery_id = str(uuid.uuid4())
    # In a consumer batch, inserted with the batch's other deliveries in one statement.
    deferred_writes.insert_row(
        session,
        deliveries,
        dict(
            delivery_id=delivery_id,
            tenant=tenant,
            channel=channel,
            notice_id=notice_id,
            recipient_nip=recipient_nip,
            subscription_id=subscription_id,
            source_event_id=source_event_id,
            source_event_type=source_event_type,
            address=address,
            payload=payload,
            status=PENDING,
            attempts=0,
            next_attempt_at=at,
            created_at=at,
        ),
    )
    return delivery_id


def exists_for_subscription(session: Session, subscription_id: str, event_id: str) -> bool:
    query = select(deliveries.c.delivery_id).where(
        deliveries.c.subscription_id == subscription_id, deliveries.c.source_event_id == event_id
    )
    return session.execute(query).first() is not None


def due_ids(session: Session, now: datetime, channels: tuple[str, ...], limit: int = 100) -> list[str]:
    query = (
        select(deliveries.c.delivery_id)
        .where(
            deliveries.c.status == PENDING,
            deliveries.c.channel.in_(channels),
            deliveries.c.next_attempt_at <= now,
            or_(deliveries.c.claimed_until.is_(None), deliveries.c.claimed_until < now),
        )
        .order_by(deliveries.c.next_attempt_at)
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def claim(session: Session, delivery_id: str, now: datetime, lease_s: int) -> dict[str, Any] | None:
    """Take a due delivery for `lease_s` seconds; None if another copy took it first."""
    result = session.execute(
        update(deliveries)
        .where(
            deliveries.c.delivery_id == delivery_id,
            deliveries.c.status == PENDING,
            or_(deliveries.c.claimed_until.is_(None), deliveries.c.claimed_until < now),
        )
        .values(claimed_until=now + timedelta(seconds=lease_s))
    )
    if result.rowcount != 1:
        return None
    return find(session, delivery_id)


def find(session: Session, delivery_id: str) -> dict[str, Any] | None:
    found = session.execute(select(deliveries).where(deliveries.c.delivery_id == delivery_id)).mappings().first()
    return _row(found) if found else None


def record_attempt(
    session: Session,
    delivery: dict[str, Any],
    *,
    at: datetime,
    outcome: str,
    error: str | None = None,
    status_code: int | None = None,
    retry_at: datetime | None = None,
) -> int:
    """Log the attempt and move the delivery on: delivered, retry at `retry_at`, or failed."""
    attempt_no = delivery["attempts"] + 1
    session.execute(
        insert(delivery_attempts).values(
            delivery_id=delivery["delivery_id"],
            attempt_no=attempt_no,
            at=at,
            outcome=outcome,
            status_code=status_code,
            error=(error or None) and error[:2000],
        )
    )
    values: dict[str, Any] = {"attempts": attempt_no, "claimed_until": None, "last_error": error}
    if outcome == "delivered":
        values.update(status=DELIVERED, delivered_at=at, next_attempt_at=None)
    elif outcome == "retry":
        values.update(next_attempt_at=retry_at)
    else:
        values.update(status=FAILED, next_attempt_at=None)
    session.execute(update(deliveries).where(deliveries.c.delivery_id == delivery["delivery_id"]).values(**values))
    return attempt_no


def requeue(session: Session, delivery_id: str, at: datetime) -> None:
    """A failed delivery goes back to pending, due now, with a fresh attempt budget."""
    session.execute(
        update(deliveries)
        .where(deliveries.c.delivery_id == delivery_id)
        .values(status=PENDING, attempts=0, next_attempt_at=at, claimed_until=None)
    )


def attempts(session: Session, delivery_id: str) -> list[dict[str, Any]]:
    query = (
        select(delivery_attempts)
        .where(delivery_attempts.c.delivery_id == delivery_id)
        .order_by(delivery_attempts.c.attempt_id)
    )
    return [{**dict(r), "at": _utc(r["at"])} for r in session.execute(query).mappings()]


def _listing(tenant: str, filters: dict[str, Any]) -> Select[Any]:
    query = select(deliveries).where(deliveries.c.tenant == tenant)
    for name, value in filters.items():
        if value not in (None, ""):
            query = query.where(deliveries.c[name] == value)
    return query


def search(session: Session, tenant: str, *, limit: int = 50, offset: int = 0, **filters: Any) -> list[dict[str, Any]]:
    query = _listing(tenant, filters).order_by(deliveries.c.created_at.desc()).limit(limit).offset(offset)
    return [_row(r) for r in session.execute(query).mappings()]
