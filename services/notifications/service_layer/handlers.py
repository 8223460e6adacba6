"""Notifications' handlers: consumed events become notices; the inbox reads and marks them.

Event handlers run inside the consumer's unit of work (no `with uow:`, no commit); the inbox
commands open their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from services.notifications.adapters import notice_view
from services.notifications.domain.facts import CONSUMED_EVENT_TYPES, drafts_for
from services.notifications.domain.notice import Notice, notice_id_for
from services.notifications.domain.templates import TemplateSet
from shared.auth import Principal
from shared.errors import NotFound
from shared.events import Envelope
from shared.messaging.consumer import Handler
from shared.storage.unit_of_work import UnitOfWork

CHANNEL = "in_app"


def notify(uow: UnitOfWork, envelope: Envelope, templates: TemplateSet) -> list[str]:
    """Store one notice per recipient of the event (both languages) and announce each delivery.

    A recipient who already has a notice for this event is skipped, so a redelivery (even under
    a new consumer group) stores and publishes nothing. Returns the ids of the new notices.
    """
    created: list[str] = []
    now = datetime.now(UTC)
    # Render every recipient's notice before writing anything: a template error stores nothing.
    rendered = [(d, templates.render(d)) for d in drafts_for(envelope.event_type, envelope.payload)]
    for draft, texts in rendered:
        notice_id = notice_id_for(envelope.event_id, draft.recipient_nip)
        if uow.events.load(notice_id):
            continue
        notice = Notice.create(
            tenant=envelope.tenant,
            recipient_nip=draft.recipient_nip,
            event_type=envelope.event_type,
            source_event_id=envelope.event_id,
            rendered=texts,
            at=now,
        )
        uow.events.save(notice, tenant=notice.tenant, actor=None)
        notice_view.add(uow.session, notice)
        uow.publish(
            "notice.delivered",
            {
                "notice_id": notice.id,
                "nip": notice.recipient_nip,
                "channel": CHANNEL,
                "source_event_type": envelope.event_type,
                "source_event_id": envelope.event_id,
            },
            tenant=notice.tenant,
            aggregate_id=notice.id,
            aggregate_version=notice.version,
        )
        created.append(notice.id)
    return created


def event_handlers(templates: TemplateSet) -> Mapping[str, Handler]:
    def handle(uow: UnitOfWork, envelope: Envelope) -> None:
        notify(uow, envelope, templates)

    return dict.fromkeys(CONSUMED_EVENT_TYPES, handle)


# --- the inbox ------------------------------------------------------------------------------


def _own(row: dict[str, Any] | None, principal: Principal, notice_id: str) -> dict[str, Any]:
    # Another person's or another instansi's notice does not exist for the caller.
    if row is None or row["tenant"] != principal.tenant or row["recipient_nip"] != principal.nip:
        raise NotFound("Pemberitahuan", "Notice", notice_id)
    return row


def get_notice(uow: UnitOfWork, principal: Principal, notice_id: str) -> dict[str, Any]:
    with uow:
        return _own(notice_view.find(uow.session, notice_id), principal, notice_id)


def list_notices(
    uow: UnitOfWork, principal: Principal, *, unread: bool | None = None, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    with uow:
        return notice_view.inbox(
            uow.session, principal.tenant, principal.nip, unread=unread, limit=limit, offset=offset
        )


def unread_count(uow: UnitOfWork, principal: Principal) -> int:
    with uow:
        return notice_view.unread_count(uow.session, principal.tenant, principal.nip)


def mark_read(uow: UnitOfWork, principal: Principal, notice_id: str) -> dict[str, Any]:
    with uow:
        _own(notice_view.find(uow.session, notice_id), principal, notice_id)
        notice = uow.events.get(Notice, notice_id)
        if notice is None:  # a read row without its events: treat as absent rather than guess
            raise NotFound("Pemberitahuan", "Notice", notice_id)
        if notice.mark_read(principal.nip, datetime.now(UTC)):
            uow.events.save(notice, tenant=notice.tenant, actor=principal.nip)
            notice_view.set_read(uow.session, notice)
            uow.commit()
    return get_notice(uow, principal, notice_id)
