"""Reminders before deadlines, computed from what the service has seen in events. Pure, no I/O.

Four kinds, each with a stable key so that it is sent once, however many worker copies or
operator runs compute it (the key is unique in the database):
- `skp_due`: an active employee without a submitted SKP for the year, shortly before the SKP is due;
- `realisasi_due`: an employee with an approved SKP who has not reported a quarter, shortly before
  that quarter's realisasi is due;
- `pending_approval`: a submitted SKP the atasan has neither approved nor returned after some days
  (once per submission);
- `appeal_window`: an evaluation result whose 14-day appeal window (keberatan, PP 30/2019 art. 59)
  is about to close.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.notifications.domain import labels
from services.notifications.domain.facts import Category, NoticeDraft
from services.notifications.domain.labels import LANGUAGES


@dataclass(frozen=True)
class ReminderPolicy:
    """The deadlines and how early to remind; every value configurable (see README)."""

    skp_due_month: int = 1  # the SKP of year Y is due on this day of year Y
    skp_due_day: int = 31
    skp_remind_days: int = 7
    realisasi_due_days: int = 10  # a quarter's realisasi is due this many days after the quarter ends
    realisasi_remind_days: int = 5
    pending_approval_days: int = 3  # remind the atasan of a plan submitted this many days ago
    appeal_window_days: int = 14
    appeal_remind_days: int = 3
    timezone: str = "Asia/Jakarta"

    def skp_due(self, year: int) -> date:
        return date(year, self.skp_due_month, self.skp_due_day)

    def realisasi_due(self, year: int, quarter: int) -> date:
        quarter_end = date(year + 1, 1, 1) if quarter == 4 else date(year, quarter * 3 + 1, 1)
        return quarter_end - timedelta(days=1) + timedelta(days=self.realisasi_due_days)

    def appeal_closes(self, result_at: datetime) -> date:
        return (result_at.astimezone(ZoneInfo(self.timezone)) + timedelta(days=self.appeal_window_days)).date()


@dataclass(frozen=True)
class Person:
    tenant: str
    nip: str
    name: str
    atasan_nip: str | None
    atasan_name: str | None
    active: bool = True


@dataclass(frozen=True)
class PlanState:
    tenant: str
    nip: str
    period_year: int
    status: str  # submitted | approved | returned
    employee_name: str
    atasan_nip: str
    atasan_name: str
    unit: str
    submitted_at: datetime
    submission_id: str  # the plan.submitted event id: one pending-approval reminder per submission


@dataclass(frozen=True)
class AppealWindow:
    tenant: str
    evaluation_id: str
    nip: str
    employee_name: str
    period_year: int
    period: str
    predikat: str
    result_at: datetime
    closed: bool = False  # an appeal was filed, or the result was replaced


@dataclass(frozen=True)
class Reminder:
    key: str  # unique: the same reminder is never sent twice
    tenant: str
    kind: str
    due: date
    draft: NoticeDraft
    category: str = Category.REMINDER


@dataclass(frozen=True)
class Seen:
    """What the reminders are computed from."""

    people: Iterable[Person]
    plans: Iterable[PlanState]
    reported: set[tuple[str, str, int, int]]  # (tenant, nip, year, quarter) with realisasi reported
    appeals: Iterable[AppealWindow]


def _facts(build: dict[str, str], per_lang: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    return {lang: {**build, **per_lang[lang]} for lang in LANGUAGES}


def _within(today: date, due: date, days_before: int) -> bool:
    return due - timedelta(days=days_before) <= today <= due


def due_reminders(policy: ReminderPolicy, now: datetime, seen: Seen) -> list[Reminder]:
    today = now.astimezone(ZoneInfo(policy.timezone)).date()
    plans = list(seen.plans)
    out: list[Reminder] = []

    # SKP due: the deadline of this year's SKP (or next year's, when it is close at year end).
    planned = {(p.tenant, p.nip, p.period_year) for p in plans if p.status in ("submitted", "approved")}
    for year in sorted({today.year, today.year + 1}):
        due = policy.skp_due(year)
        if not _within(today, due, policy.skp_remind_days):
            continue
        for person in seen.people:
            if not person.active or (person.tenant, person.nip, year) in planned:
                continue
            facts = _facts(
                {"employee_name": person.name},
                {
                    lang: {
                        "period": labels.period(year, lang),
                        "due_date": labels.day(due, lang),
                        "atasan_name": person.atasan_name or {"id": "atasan Anda", "en": "your atasan"}[lang],
                    }
                    for lang in LANGUAGES
                },
            )
            out.append(
                Reminder(
                    f"skp_due:{person.tenant}:{person.nip}:{year}",
                    person.tenant,
                    "skp_due",
                    due,
                    NoticeDraft(person.nip, "reminder.skp_due", facts),
                )
            )

    # Realisasi due: each quarter of an approved SKP that has no report yet.
    for plan in plans:
        if plan.status != "approved":
            continue
        for quarter in range(1, 5):
            due = policy.realisasi_due(plan.period_year, quarter)
            if (plan.tenant, plan.nip, plan.period_year, quarter) in seen.reported:
                continue
            if not _within(today, due, policy.realisasi_remind_days):
                continue
            facts = _facts(
                {"employee_name": plan.employee_name},
                {
                    lang: {
                        "period": labels.period(plan.period_year, lang, f"Q{quarter}"),
                        "due_date": labels.day(due, lang),
                    }
                    for lang in LANGUAGES
                },
            )
            out.append(
                Reminder(
                    f"realisasi_due:{plan.tenant}:{plan.nip}:{plan.period_year}:Q{quarter}",
                    plan.tenant,
                    "realisasi_due",
                    due,
                    NoticeDraft(plan.nip, "reminder.realisasi_due", facts),
                )
            )

    # Pending approvals: once per submission still waiting after the configured days.
    for plan in plans:
        if plan.status != "submitted":
            continue
        submitted = plan.submitted_at.astimezone(ZoneInfo(policy.timezone)).date()
        if today < submitted + timedelta(days=policy.pending_approval_days):
            continue
        facts = _facts(
            {"employee_name": plan.employee_name, "atasan_name": plan.atasan_name, "unit": plan.unit},
            {
                lang: {"period": labels.period(plan.period_year, lang), "submitted_date": labels.day(submitted, lang)}
                for lang in LANGUAGES
            },
        )
        out.append(
            Reminder(
                f"pending_approval:{plan.tenant}:{plan.submission_id}",
                plan.tenant,
                "pending_approval",
                submitted + timedelta(days=policy.pending_approval_days),
                NoticeDraft(plan.atasan_nip, "reminder.pending_approval", facts),
            )
        )

    # Appeal window closing.
    for window in seen.appeals:
        if window.closed:
            continue
        closes = policy.appeal_closes(window.result_at)
        if not _within(today, closes, policy.appeal_remind_days):
            continue
        facts = _facts(
            {"employee_name": window.employee_name},
            {
                lang: {
                    "period": labels.period(window.period_year, lang, window.period),
                    "predikat": labels.predikat(window.predikat, lang),
                    "due_date": labels.day(closes, lang),
                }
                for lang in LANGUAGES
            },
        )
        out.append(
            Reminder(
                f"appeal_window:{window.tenant}:{window.evaluation_id}",
                window.tenant,
                "appeal_window",
                closes,
                NoticeDraft(window.nip, "reminder.appeal_window", facts),
            )
        )
    return out
