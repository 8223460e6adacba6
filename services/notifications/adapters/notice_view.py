"""The `notices` read model, written in the same transaction as the Notice's events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from services.notifications.adapters.tables import notices
from services.notifications.domain.notice import Notice
from shared.storage import deferred_writes
from shared.storage.in_values import in_values


def add(session: Session, notice: Notice, unit_id: str | None = None) -> None:
    # In a consumer batch, inserted with the batch's other notices in one statement.
    deferred_writes.insert_row(
        session,
        notices,
        dict(
            notice_id=notice.id,
            tenant=notice.tenant,
            recipient_nip=notice.recipient_nip,
            event_type=notice.event_type,
            source_event_id=notice.source_event_id,
            title_id=notice.texts["id"]["title"],
            body_id=notice.texts["id"]["body"],
            title_en=notice.texts["en"]["title"],
            body_en=notice.texts["en"]["body"],
            created_at=notice.created_at,
            read_at=notice.read_at,
            category=notice.category,
            campaign_id=notice.campaign_id,
            unit_id=unit_id,
        ),
    )


def ids_by_source(session: Session, source_event_ids: list[str]) -> dict[str, list[str]]:
    """The notices already stored for each of these source events (one query for a batch)."""
    found: dict[str, list[str]] = {}
    if source_event_ids:
        query = select(notices.c.source_event_id, notices.c.notice_id).where(
            in_values(session, notices.c.source_event_id, source_event_ids)
        )
        for source_event_id, notice_id in session.execute(query):
            found.setdefault(source_event_id, []).append(notice_id)
    return found


def set_read(session: Session, notice: Notice) -> None:
    session.execute(update(notices).where(notices.c.notice_id == notice.id).values(read_at=notice.read_at))


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _row(found: Any) -> dict[str, Any]:
    row = dict(found)
    row["created_at"], row["read_at"] = _utc(row["created_at"]), _utc(row["read_at"])
    return row


def find(session: Session, notice_id: str) -> dict[str, Any] | None:
    found = session.execute(select(notices).where(notices.c.notice_id == notice_id)).mappings().first()
    return _row(found) if found else None


def _inbox(tenant: str, nip: str, unread: bool | None) -> Select[Any]:
    query = select(notices).where(notices.c.tenant == tenant, notices.c.recipient_nip == nip)
    if unread is True:
        query = query.where(notices.c.read_at.is_(None))
    elif unread is False:
        query = query.where(notices.c.read_at.is_not(None))
    return query


def inbox(
    session: Session, tenant: str, nip: str, *, unread: bool | None = None, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    query = (
        _inbox(tenant, nip, unread)
        .order_by(notices.c.created_at.desc(), notices.c.notice_id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_row(found) for found in session.execute(query).mappings()]


def unread_count(session: Session, tenant: str, nip: str) -> int:
    query = _inbox(tenant, nip, unread=True).with_only_columns(func.count())
    return int(session.execute(query).scalar_one())
