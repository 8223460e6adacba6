"""What the reminders are computed from, kept from events: plans, realisasi reports, results."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from services.notifications.adapters.tables import (
    appeal_windows,
    people,
    plan_states,
    realisasi_reported,
    reminders_sent,
)
from services.notifications.domain.reminders import AppealWindow, Person, PlanState, Seen
from shared.storage import deferred_writes, session_cache
from shared.storage.in_values import in_values
from shared.storage.upsert import upsert

# Session cache: (tenant, nip, period_year, period) -> whether the employee has an appeal window for
# the period (primed for a consumer batch; a key not primed is taken to have one).
WINDOWS = "appeal_windows_of"
_CLOSE_EARLIER_WINDOWS = (
    update(appeal_windows)
    .where(
        appeal_windows.c.tenant == bindparam("w_tenant"),
        appeal_windows.c.nip == bindparam("w_nip"),
        appeal_windows.c.period_year == bindparam("w_year"),
        appeal_windows.c.period == bindparam("w_period"),
    )
    .values(closed=True)
)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def plan_submitted(session: Session, tenant: str, p: dict[str, Any], at: datetime, event_id: str) -> None:
    row = {
        "tenant": tenant,
        "nip": p["nip"],
        "period_year": p["period_year"],
        "status": "submitted",
        "employee_name": p["employee_name"],
        "atasan_nip": p["atasan_nip"],
        "atasan_name": p["atasan_name"],
        "unit": p["unit"],
        "submitted_at": at,
        "submission_id": event_id,
    }
    upsert(session, plan_states, row, key=("tenant", "nip", "period_year"))


def plan_decided(session: Session, tenant: str, p: dict[str, Any], status: str, at: datetime, event_id: str) -> None:
    """Approved (or amended) or returned. An approval seen without its submission still counts."""
    if status == "approved" and "atasan_nip" in p:
        plan_submitted(session, tenant, p, at, event_id)
    session.execute(
        update(plan_states)
        .where(
            plan_states.c.tenant == tenant,
            plan_states.c.nip == p["nip"],
            plan_states.c.period_year == p["period_year"],
        )
        .values(status=status)
    )


def realisasi_reported_for(session: Session, tenant: str, p: dict[str, Any]) -> None:
    row = {"tenant": tenant, "nip": p["nip"], "period_year": p["period_year"], "quarter": p["quarter"]}
    upsert(session, realisasi_reported, row, key=("tenant", "nip", "period_year", "quarter"))


def result_published(session: Session, tenant: str, p: dict[str, Any], at: datetime) -> None:
    """A result (or a revised one) opens its own appeal window; a replaced result's window closes."""
    row = {
        "tenant": tenant,
        "evaluation_id": p["evaluation_id"] + (f"#r{p['revision']}" if p.get("revision") else ""),
        "nip": p["nip"],
        "employee_name": p["employee_name"],
        "period_year": p["period_year"],
        "period": p["period"],
        "predikat": p["predikat"],
        "result_at": at,
        "closed": False,
    }
    key = (tenant, p["nip"], p["period_year"], p["period"])
    # At year-end nobody has a window yet: the batch's prefetch said so, and there is nothing to close.
    if session_cache.cached(session, WINDOWS, key, lambda: True):
        params = {"w_tenant": tenant, "w_nip": p["nip"], "w_year": p["period_year"], "w_period": p["period"]}
        deferred_writes.execute_later(session, _CLOSE_EARLIER_WINDOWS, params)
    session_cache.prime(session, WINDOWS, {key: True})
    # Read back only by `seen` (reminders), which sends what is queued first.
    deferred_writes.upsert_later(session, appeal_windows, row, key=("tenant", "evaluation_id"))


def prime_windows(session: Session, keys: set[tuple[str, str, int, str]]) -> None:
    """Whether each (tenant, nip, period_year, period) has an appeal window, in one query per tenant."""
    found = dict.fromkeys(keys, False)
    for tenant in {key[0] for key in keys}:
        nips = {key[1] for key in keys if key[0] == tenant}
        t = appeal_windows
        query = (
            select(t.c.nip, t.c.period_year, t.c.period)
            .where(t.c.tenant == tenant, in_values(session, t.c.nip, nips))
            .distinct()
        )
        for r in session.execute(query):
            if (tenant, r.nip, r.period_year, r.period) in found:
                found[(tenant, r.nip, r.period_year, r.period)] = True
    session_cache.prime(session, WINDOWS, found)


def close_appeal_window(session: Session, tenant: str, evaluation_id: str) -> None:
    """For an appeal filed (the event comes later): no reminder about a window already used."""
    session.execute(
        update(appeal_windows)
        .where(appeal_windows.c.tenant == tenant, appeal_windows.c.evaluation_id.startswith(evaluation_id))
        .values(closed=True)
    )


def seen(session: Session) -> Seen:
    deferred_writes.sync(session)
    persons = [
        Person(r.tenant, r.nip, r.name, r.atasan_nip, r.atasan_name, bool(r.active))
        for r in session.execute(select(people))
    ]
    plans = [
        PlanState(
            r.tenant,
            r.nip,
            r.period_year,
            r.status,
            r.employee_name,
            r.atasan_nip,
            r.atasan_name,
            r.unit,
            _utc(r.submitted_at),
            r.submission_id,
        )
        for r in session.execute(select(plan_states))
    ]
    reported = {(r.tenant, r.nip, r.period_year, r.quarter) for r in session.execute(select(realisasi_reported))}
    appeals = [
        AppealWindow(
            r.tenant,
            r.evaluation_id,
            r.nip,
            r.employee_name,
            r.period_year,
            r.period,
            r.predikat,
            _utc(r.result_at),
            bool(r.closed),
        )
        for r in session.execute(select(appeal_windows).where(appeal_windows.c.closed.is_(False)))
    ]
    return Seen(persons, plans, reported, appeals)


def already_sent(session: Session) -> set[str]:
    return set(session.execute(select(reminders_sent.c.reminder_key)).scalars())


def mark_sent(
    session: Session, *, key: str, tenant: str, kind: str, recipient_nip: str, due: date, notice_id: str
) -> None:
    """Inserting the key twice fails (primary key): the loser's transaction rolls back, nothing is sent twice."""
    session.execute(
        insert(reminders_sent).values(
            reminder_key=key,
            tenant=tenant,
            kind=kind,
            recipient_nip=recipient_nip,
            due=due,
            notice_id=notice_id,
            sent_at=datetime.now(UTC),
        )
    )
