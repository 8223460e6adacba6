"""The `campaigns` read model and the reach of a published campaign (from its notices)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, func, insert, select, update
from sqlalchemy.orm import Session

from services.notifications.adapters.tables import campaigns, deliveries, notices
from services.notifications.domain.campaign import Campaign


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _row(found: Any) -> dict[str, Any]:
    row = dict(found)
    for name in ("event_at", "created_at", "published_at"):
        row[name] = _utc(row[name])
    return row


def add(session: Session, campaign: Campaign, at: datetime) -> None:
    content = campaign.content
    assert content is not None
    session.execute(
        insert(campaigns).values(
            campaign_id=campaign.id,
            tenant=campaign.tenant,
            kind=content.kind,
            title_id=content.title["id"],
            title_en=content.title["en"],
            body_id=content.body["id"],
            body_en=content.body["en"],
            event_at=content.event_at,
            place=content.place,
            target=content.target.as_dict(),
            status="draft",
            created_by=campaign.created_by,
            created_at=at,
        )
    )


def set_published(session: Session, campaign: Campaign) -> None:
    session.execute(
        update(campaigns)
        .where(campaigns.c.campaign_id == campaign.id)
        .values(status="published", published_at=campaign.published_at, targeted=campaign.targeted)
    )


def find(session: Session, campaign_id: str) -> dict[str, Any] | None:
    found = session.execute(select(campaigns).where(campaigns.c.campaign_id == campaign_id)).mappings().first()
    return _row(found) if found else None


def of_tenant(session: Session, tenant: str, limit: int, offset: int) -> list[dict[str, Any]]:
    query = (
        select(campaigns)
        .where(campaigns.c.tenant == tenant)
        .order_by(campaigns.c.created_at.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_row(r) for r in session.execute(query).mappings()]


def reach_by_unit(session: Session, campaign_id: str) -> list[dict[str, Any]]:
    """Per unit: notices written (targeted and in the inbox), read, e-mails delivered and failed."""
    email = and_(deliveries.c.notice_id == notices.c.notice_id, deliveries.c.channel == "email")
    query = (
        select(
            notices.c.unit_id,
            func.count(notices.c.notice_id).label("targeted"),
            func.count(notices.c.read_at).label("read"),
            func.sum(case((deliveries.c.status == "delivered", 1), else_=0)).label("email_delivered"),
            func.sum(case((deliveries.c.status == "failed", 1), else_=0)).label("email_failed"),
        )
        .select_from(notices.outerjoin(deliveries, email))
        .where(notices.c.campaign_id == campaign_id)
        .group_by(notices.c.unit_id)
        .order_by(notices.c.unit_id)
    )
    return [
        {
            "unit_id": r.unit_id,
            "targeted": int(r.targeted),
            "read": int(r.read),
            "email_delivered": int(r.email_delivered or 0),
            "email_failed": int(r.email_failed or 0),
        }
        for r in session.execute(query)
    ]
