"""Notifications' handlers: consumed events become notices (and e-mails, and webhook deliveries);
the inbox reads and marks them.

Event handlers run inside the consumer's unit of work (no `with uow:`, no commit); the inbox
commands open their own.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.notifications.adapters import deadline_facts, delivery_log, directory, notice_view, webhook_registry
from services.notifications.domain.facts import CONSUMED_EVENT_TYPES, NoticeDraft, category_of, drafts_for
from services.notifications.domain.notice import Notice, notice_id_for
from services.notifications.domain.templates import RenderedNotice, TemplateSet
from shared.auth import Principal
from shared.contracts import CATALOG, SERVICE_TOPICS, public_definitions
from shared.errors import NotFound
from shared.events import Envelope
from shared.messaging.consumer import Handler
from shared.storage import session_cache
from shared.storage.unit_of_work import UnitOfWork

IN_APP, EMAIL = "in_app", "email"
DEFAULT_CHANNELS = (IN_APP, EMAIL)


def channels_for(pref: Mapping[str, Any] | None, category: str) -> tuple[str, ...]:
    """The person's channels for a category; the inbox always keeps every notice."""
    if pref is None:
        return DEFAULT_CHANNELS
    chosen = (pref.get("channels") or {}).get(category)
    return DEFAULT_CHANNELS if chosen is None else tuple(dict.fromkeys((IN_APP, *chosen)))


def language_of(pref: Mapping[str, Any] | None) -> str:
    return (pref or {}).get("language") or "id"


def email_text(rendered: RenderedNotice, lang: str) -> str:
    title, body = rendered.texts[lang]
    footer = {
        "id": "Pesan ini dikirim oleh Kinerja. Atur saluran pemberitahuan Anda di menu Preferensi.",
        "en": "This message was sent by Kinerja. Choose your notification channels under Preferences.",
    }[lang]
    return json.dumps({"subject": title, "body": f"{body}\n\n--\n{footer}", "language": lang})


def write_notice(
    uow: UnitOfWork,
    *,
    tenant: str,
    draft: NoticeDraft,
    rendered: RenderedNotice,
    source_event_type: str,
    source_event_id: str,
    category: str,
    at: datetime,
    campaign_id: str | None = None,
    known: tuple[Mapping[str, Any] | None, Mapping[str, Any] | None] | None = None,
    announce: bool = True,
) -> Notice | None:
    """One notice to one person: inbox row, `notice.delivered` (in-app) and, if the person wants
    e-mail for this category and has an address, a pending e-mail delivery. None if it exists.

    `known`: (person, preference) already read in bulk by a caller writing many notices at once
    (a campaign) for a source that cannot have notices yet; skips the per-person reads.
    `announce=False`: no per-person in-app `notice.delivered` (a campaign announces itself once)."""
    notice_id = notice_id_for(source_event_id, draft.recipient_nip)
    if known is None and _notice_exists(uow, source_event_id, notice_id):
        return None
    notice = Notice.create(
        tenant=tenant,
        recipient_nip=draft.recipient_nip,
        event_type=source_event_type,
        source_event_id=source_event_id,
        rendered=rendered,
        at=at,
        category=category,
        campaign_id=campaign_id,
    )
    uow.events.save(notice, tenant=tenant, actor=None)
    if (existing := session_cache.cached(uow.session, NOTICES_OF_SOURCE, source_event_id, lambda: None)) is not None:
        existing.add(notice_id)
    person, pref = known or (
        directory.person(uow.session, tenant, draft.recipient_nip),
        directory.preference(uow.session, tenant, draft.recipient_nip),
    )
    notice_view.add(uow.session, notice, unit_id=person["unit_id"] if person else None)
    if announce:
        uow.publish(
            "notice.delivered",
            {
                "notice_id": notice.id,
                "nip": notice.recipient_nip,
                "channel": IN_APP,
                "source_event_type": source_event_type,
                "source_event_id": source_event_id,
            },
            tenant=tenant,
            aggregate_id=notice.id,
            aggregate_version=notice.version,
        )
    if EMAIL in channels_for(pref, category) and person and person.get("email") and person.get("active", True):
        delivery_log.add(
            uow.session,
            tenant=tenant,
            channel=EMAIL,
            notice_id=notice.id,
            recipient_nip=notice.recipient_nip,
            source_event_id=source_event_id,
            source_event_type=source_event_type,
            address=person["email"],
            payload=email_text(rendered, language_of(pref)),
            at=at,
        )
    return notice


NOTICES_OF_SOURCE = "notices_of_source"  # session cache: source event id -> its notice ids (primed)


def _notice_exists(uow: UnitOfWork, source_event_id: str, notice_id: str) -> bool:
    existing = session_cache.cached(uow.session, NOTICES_OF_SOURCE, source_event_id, lambda: None)
    if existing is None:  # not read up front for this event: ask the event store
        return bool(uow.events.load(notice_id))
    return notice_id in existing


def prefetch(uow: UnitOfWork, envelopes: list[Envelope]) -> None:
    """A consumer batch's reads up front, in a few queries instead of several per event: the people
    and preferences of every NIP the events name (recipients, names to fill in), and the notices
    that already exist for these events (a redelivery under a new consumer group), and whether the
    employees of the results in it have appeal windows to close."""
    by_tenant: dict[str, set[str]] = {}
    for envelope in envelopes:
        nips = by_tenant.setdefault(envelope.tenant, set())
        nips.update(str(v) for k, v in envelope.payload.items() if k in RECIPIENT_FIELDS and v)
    for tenant, nips in by_tenant.items():
        directory.prime_people(uow.session, tenant, nips)
    results = {
        (e.tenant, e.payload["nip"], e.payload["period_year"], e.payload["period"])
        for e in envelopes
        if e.event_type in _RESULT_EVENTS
    }
    if results:
        deadline_facts.prime_windows(uow.session, results)
    sources = [e.event_id for e in envelopes if e.event_type in CONSUMED_EVENT_TYPES]
    existing = notice_view.ids_by_source(uow.session, sources)
    session_cache.prime(uow.session, NOTICES_OF_SOURCE, {s: set(existing.get(s, ())) for s in sources})


# (NIP field, name field) pairs an event may carry without the name (older producers): the
# directory fills the name in, so a notice says "Budi Santoso" rather than "your atasan".
NAME_FIELDS = (
    ("returned_by", "returned_by_name"),
    ("given_by", "given_by_name"),
    ("coach_nip", "coach_name"),
    ("atasan_nip", "atasan_name"),
    ("nip", "employee_name"),
)
# Every payload field that names a person a notice may go to or name.
RECIPIENT_FIELDS = frozenset({nip for nip, _ in NAME_FIELDS} | {"decider_nip"})


def with_names(uow: UnitOfWork, tenant: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    filled = dict(payload)
    for nip_field, name_field in NAME_FIELDS:
        if payload.get(nip_field) and not payload.get(name_field):
            person = directory.person(uow.session, tenant, payload[nip_field])
            if person:
                filled[name_field] = person["name"]
    return filled


def notify(uow: UnitOfWork, envelope: Envelope, templates: TemplateSet) -> list[str]:
    """Store one notice per recipient of the event (both languages) and announce each delivery.

    A recipient who already has a notice for this event is skipped, so a redelivery (even under
    a new consumer group) stores and publishes nothing. Returns the ids of the new notices.
    """
    now = datetime.now(UTC)
    # Render every recipient's notice before writing anything: a template error stores nothing.
    payload = with_names(uow, envelope.tenant, envelope.payload)
    rendered = [(d, templates.render(d)) for d in drafts_for(envelope.event_type, payload)]
    created: list[str] = []
    for draft, texts in rendered:
        notice = write_notice(
            uow,
            tenant=envelope.tenant,
            draft=draft,
            rendered=texts,
            source_event_type=envelope.event_type,
            source_event_id=envelope.event_id,
            category=category_of(envelope.event_type),
            at=now,
        )
        if notice is not None:
            created.append(notice.id)
    return created


# --- projections: the directory and the facts reminders need --------------------------------

_EMPLOYEE_EVENTS = ("employee.registered", "employee.moved", "employee.atasan_changed", "employee.updated")
_RESULT_EVENTS = ("evaluation.completed", "evaluation.revised")

Projection = Callable[[Session, Envelope], None]


def _plan_decided(outcome: str) -> Projection:
    return lambda session, e: deadline_facts.plan_decided(
        session, e.tenant, e.payload, outcome, e.occurred_at, e.event_id
    )


# What each event type feeds: the directory, or the facts reminders need.
PROJECTIONS: dict[str, Projection] = {
    **dict.fromkeys(_EMPLOYEE_EVENTS, lambda session, e: directory.save_person(session, e.tenant, e.payload)),
    **dict.fromkeys(
        ("unit.registered", "unit.changed"), lambda session, e: directory.save_unit(session, e.tenant, e.payload)
    ),
    "plan.submitted": lambda session, e: deadline_facts.plan_submitted(
        session, e.tenant, e.payload, e.occurred_at, e.event_id
    ),
    "plan.approved": _plan_decided("approved"),
    "plan.amended": _plan_decided("approved"),
    "plan.returned": _plan_decided("returned"),
    "progress.reported": lambda session, e: deadline_facts.realisasi_reported_for(session, e.tenant, e.payload),
    **dict.fromkeys(
        _RESULT_EVENTS,
        lambda session, e: deadline_facts.result_published(session, e.tenant, e.payload, e.occurred_at),
    ),
}


def project(uow: UnitOfWork, envelope: Envelope) -> None:
    projection = PROJECTIONS.get(envelope.event_type)
    if projection is not None:
        projection(uow.session, envelope)


def fan_out_to_webhooks(uow: UnitOfWork, envelope: Envelope, *, new: bool = False) -> int:
    """Queue one signed delivery per matching subscription of the event's own instansi. `new`: the
    event was published in this transaction, so no delivery of it can exist yet (no lookup)."""
    queued = 0
    body: str | None = None
    for sub in webhook_registry.active_for(uow.session, envelope.tenant, envelope.event_type):
        if not new and delivery_log.exists_for_subscription(uow.session, sub["subscription_id"], envelope.event_id):
            continue
        # The whole event, validated now: the worker read only what its notices use.
        body = body or CATALOG.complete(envelope).to_json().decode("utf-8")
        delivery_log.add(
            uow.session,
            tenant=envelope.tenant,
            channel="webhook",
            subscription_id=sub["subscription_id"],
            source_event_id=envelope.event_id,
            source_event_type=envelope.event_type,
            address=sub["url"],
            payload=body,
            at=datetime.now(UTC),
        )
        queued += 1
    return queued


def fan_out_own_events(uow: UnitOfWork, envelopes: Sequence[Envelope]) -> None:
    """Webhook deliveries for the events this service has just published, in the same transaction
    (the unit of work's publish hook): agencies get notice.delivered, notice.failed and
    campaign.published without the worker reading its own topic back from the broker — a third of
    everything it consumed at year-end, one notice.delivered per notice."""
    for envelope in envelopes:
        fan_out_to_webhooks(uow, envelope, new=True)


OWN_TOPIC = SERVICE_TOPICS["notifications"]


def event_handlers(templates: TemplateSet) -> Mapping[str, Handler]:
    """Every public event type of the other services (not their internal work items): agencies may
    subscribe to any of them; some also make notices or feed the directory and the reminder facts.
    This service's own events are fanned out to webhooks as they are published (fan_out_own_events)."""

    def handle(uow: UnitOfWork, envelope: Envelope) -> None:
        project(uow, envelope)
        if envelope.event_type in CONSUMED_EVENT_TYPES:
            notify(uow, envelope, templates)
        fan_out_to_webhooks(uow, envelope)

    handle.prefetch = prefetch  # type: ignore[attr-defined]
    event_types = [definition.event_type for definition in public_definitions() if definition.topic != OWN_TOPIC]
    handle.reads = payload_reads(event_types)  # type: ignore[attr-defined]
    return dict.fromkeys(event_types, handle)


# What an evaluation result carries for its readers' analysis (the per-IKI breakdown, the
# explanation, strengths and weaknesses): most of its 3.5 KB, and no notice or projection here uses it.
_RESULT_ANALYSIS = frozenset({"breakdown", "explanation", "strengths", "weaknesses"})


def payload_reads(event_types: Sequence[str]) -> dict[str, frozenset[str]]:
    """What the handler reads of each payload (the consumer validates only that; see EventCatalog.read).

    Nothing of an event type that neither makes a notice nor feeds a projection: the worker only
    forwards it to the agencies' webhooks, and validates the whole of it when it does
    (`fan_out_to_webhooks`). An evaluation result without its analysis. The rest whole."""
    reads: dict[str, frozenset[str]] = {}
    for kind in event_types:
        if kind not in CONSUMED_EVENT_TYPES and kind not in PROJECTIONS:
            reads[kind] = frozenset()
        elif kind in _RESULT_EVENTS:
            reads[kind] = CATALOG.payload_fields(kind) - _RESULT_ANALYSIS
    return reads


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


def preferred_language(uow: UnitOfWork, principal: Principal) -> str:
    with uow:
        return language_of(directory.preference(uow.session, principal.tenant, principal.nip))
