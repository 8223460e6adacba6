"""Sending the reminders that are due: each in its own transaction, each exactly once.

The reminder's key goes into `reminders_sent` (primary key) in the same transaction as its
notice; a second worker copy or a second operator run computing the same reminder fails on that
key (or on the notice's own id) and rolls back, so nobody gets it twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError

from services.notifications.adapters import deadline_facts
from services.notifications.domain.reminders import Reminder, ReminderPolicy, due_reminders
from services.notifications.domain.templates import TemplateSet
from services.notifications.service_layer.handlers import write_notice
from shared.errors import ConcurrencyConflict
from shared.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


def send_due_reminders(
    uow: Callable[[], UnitOfWork], templates: TemplateSet, policy: ReminderPolicy, now: datetime | None = None
) -> list[str]:
    """Send every reminder due at `now` that was not sent before; returns the keys sent by this call."""
    now = now or datetime.now(UTC)
    with uow() as work:
        due = due_reminders(policy, now, deadline_facts.seen(work.session))
        sent_before = deadline_facts.already_sent(work.session)
    sent: list[str] = []
    for reminder in due:
        if reminder.key not in sent_before and _send(uow, templates, reminder, now):
            sent.append(reminder.key)
    if sent:
        log.info("sent %d reminder(s)", len(sent))
    return sent


def _send(uow: Callable[[], UnitOfWork], templates: TemplateSet, reminder: Reminder, now: datetime) -> bool:
    try:
        with uow() as work:
            notice = write_notice(
                work,
                tenant=reminder.tenant,
                draft=reminder.draft,
                rendered=templates.render(reminder.draft),
                source_event_type=f"reminder.{reminder.kind}",
                source_event_id=reminder_source_id(reminder.key),
                category=reminder.category,
                at=now,
            )
            if notice is None:
                return False
            deadline_facts.mark_sent(
                work.session,
                key=reminder.key,
                tenant=reminder.tenant,
                kind=reminder.kind,
                recipient_nip=reminder.draft.recipient_nip,
                due=reminder.due,
                notice_id=notice.id,
            )
            work.commit()
            return True
    except (IntegrityError, ConcurrencyConflict):
        return False  # another copy sent it first


def reminder_source_id(key: str) -> str:
    """A reminder has no source event; its notice is keyed by a stable id derived from its key."""
    return str(uuid.uuid5(uuid.UUID("0c4d5a3e-1b7f-4f0e-8a55-72656d696e64"), key))
