"""Reminders before deadlines: computed from the events seen, in both languages, each sent once."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from services.notifications.adapters.tables import eventing, notices, reminders_sent
from services.notifications.domain.facts import OWN_TEMPLATES
from services.notifications.domain.reminders import (
    AppealWindow,
    Person,
    PlanState,
    ReminderPolicy,
    Seen,
    due_reminders,
)
from services.notifications.service_layer.reminders import send_due_reminders
from tests.unit.notifications.notifications_samples import ATASAN, EMPLOYEE, TENANT, employee, envelope

POLICY = ReminderPolicy()
WIB = 7  # hours ahead of UTC


def person(**changes):
    return Person(**{"tenant": TENANT, "nip": EMPLOYEE, "name": "Siti Aminah", "atasan_nip": ATASAN,
                     "atasan_name": "Budi Santoso", **changes})  # fmt: skip


def plan(status="approved", year=2026, submitted_at=datetime(2026, 1, 10, 2, tzinfo=UTC)):
    return PlanState(TENANT, EMPLOYEE, year, status, "Siti Aminah", ATASAN, "Budi Santoso", "Puskesmas Sukarami",
                     submitted_at, "sub-1")  # fmt: skip


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour - WIB, tzinfo=UTC)  # 09:00 WIB


def kinds(reminders):
    return sorted(r.kind for r in reminders)


def test_skp_due_inside_the_window_only_and_not_once_submitted() -> None:
    seen = Seen([person()], [], set(), [])
    due = POLICY.skp_due(2027)
    assert due == date(2027, 1, 31)
    assert kinds(due_reminders(POLICY, at(due - timedelta(days=8)), seen)) == []
    (reminder,) = due_reminders(POLICY, at(due - timedelta(days=7)), seen)
    assert (reminder.kind, reminder.key, reminder.draft.recipient_nip) == (
        "skp_due",
        f"skp_due:{TENANT}:{EMPLOYEE}:2027",
        EMPLOYEE,
    )
    assert kinds(due_reminders(POLICY, at(due), seen)) == ["skp_due"]
    assert kinds(due_reminders(POLICY, at(due + timedelta(days=1)), seen)) == []
    submitted = Seen([person()], [plan("submitted", 2027)], set(), [])
    assert "skp_due" not in kinds(due_reminders(POLICY, at(due - timedelta(days=2)), submitted))
    inactive = Seen([person(active=False)], [], set(), [])
    assert kinds(due_reminders(POLICY, at(due - timedelta(days=2)), inactive)) == []


def test_realisasi_due_per_quarter_until_reported() -> None:
    assert POLICY.realisasi_due(2026, 1) == date(2026, 4, 10)
    assert POLICY.realisasi_due(2026, 4) == date(2027, 1, 10)
    seen = Seen([], [plan()], set(), [])
    (reminder,) = due_reminders(POLICY, at(date(2026, 4, 7)), seen)
    assert reminder.key == f"realisasi_due:{TENANT}:{EMPLOYEE}:2026:Q1"
    assert reminder.draft.facts["id"]["period"] == "triwulan I tahun 2026"
    assert reminder.draft.facts["en"]["due_date"] == "10 April 2026"
    reported = Seen([], [plan()], {(TENANT, EMPLOYEE, 2026, 1)}, [])
    assert due_reminders(POLICY, at(date(2026, 4, 7)), reported) == []
    draft_only = Seen([], [plan("submitted")], set(), [])
    assert "realisasi_due" not in kinds(due_reminders(POLICY, at(date(2026, 4, 7)), draft_only))


def test_pending_approval_reminds_the_atasan_after_the_configured_days() -> None:
    seen = Seen([], [plan("submitted", submitted_at=datetime(2026, 1, 10, 2, tzinfo=UTC))], set(), [])
    assert due_reminders(POLICY, at(date(2026, 1, 12)), seen) == []
    (reminder,) = due_reminders(POLICY, at(date(2026, 1, 13)), seen)
    assert reminder.draft.recipient_nip == ATASAN
    assert reminder.key == f"pending_approval:{TENANT}:sub-1"
    assert reminder.draft.facts["id"]["submitted_date"] == "10 Januari 2026"
    sooner = ReminderPolicy(pending_approval_days=1)
    assert kinds(due_reminders(sooner, at(date(2026, 1, 11)), seen)) == ["pending_approval"]


def test_appeal_window_closing_fourteen_days_after_the_result() -> None:
    result_at = datetime(2027, 1, 20, 3, tzinfo=UTC)
    window = AppealWindow(TENANT, "ev-1", EMPLOYEE, "Siti Aminah", 2026, "annual", "baik", result_at)
    assert POLICY.appeal_closes(result_at) == date(2027, 2, 3)
    assert due_reminders(POLICY, at(date(2027, 1, 30)), Seen([], [], set(), [window])) == []
    (reminder,) = due_reminders(POLICY, at(date(2027, 1, 31)), Seen([], [], set(), [window]))
    assert reminder.draft.facts["id"]["due_date"] == "3 Februari 2027"
    assert reminder.draft.facts["en"]["predikat"] == "Good"
    closed = AppealWindow(TENANT, "ev-1", EMPLOYEE, "Siti Aminah", 2026, "annual", "baik", result_at, closed=True)
    assert due_reminders(POLICY, at(date(2027, 1, 31)), Seen([], [], set(), [closed])) == []


@pytest.mark.parametrize("name", [n for n in OWN_TEMPLATES if n.startswith("reminder.")])
def test_every_reminder_template_renders_in_both_languages(templates, name) -> None:
    seen = Seen(
        [person()],
        [plan("approved"), PlanState(TENANT, "199001012015032003", 2027, "submitted", "Rina", ATASAN, "Budi Santoso",
                                     "Puskesmas Sukarami", datetime(2027, 1, 1, tzinfo=UTC), "sub-2")],
        set(),
        [AppealWindow(TENANT, "ev-1", EMPLOYEE, "Siti Aminah", 2026, "annual", "baik",
                      datetime(2027, 1, 12, tzinfo=UTC))],
    )  # fmt: skip
    reminders = {r.draft.template: r for r in due_reminders(POLICY, at(date(2027, 1, 24)), seen)}
    reminders |= {r.draft.template: r for r in due_reminders(POLICY, at(date(2027, 1, 7)), seen)}
    rendered = templates.render(reminders[name].draft)
    for lang in ("id", "en"):
        title, body = rendered.texts[lang]
        assert title
        assert body
        assert "$" not in title + body
        assert EMPLOYEE not in title + body
        assert ATASAN not in title + body
    assert rendered.texts["id"] != rendered.texts["en"]
    assert any(month in rendered.texts["id"][1] for month in ("Januari", "Februari"))


# --- end to end through the handlers and the database -----------------------------------------


@pytest.fixture
def seen_events(consume):
    submitted_at = datetime(2027, 1, 3, 2, tzinfo=UTC)
    consume(envelope("employee.registered", **employee(EMPLOYEE, "Siti Aminah")))
    consume(envelope("employee.registered", **employee(ATASAN, "Budi Santoso", atasan_nip=None, email="budi@x.go.id")))
    consume(envelope("plan.submitted", occurred_at=submitted_at, period_year=2027))
    consume(envelope("evaluation.completed", occurred_at=datetime(2027, 1, 20, 3, tzinfo=UTC)))


def reminder_rows(runtime):
    with runtime.engine.connect() as conn:
        sent = [dict(r) for r in conn.execute(select(reminders_sent)).mappings()]
        inbox = [dict(r) for r in conn.execute(select(notices).where(notices.c.category == "reminder")).mappings()]
        outbox = [json.loads(r.value) for r in conn.execute(select(eventing.outbox))]
    return sent, inbox, outbox


def test_reminders_from_events_are_sent_once_however_often_computed(runtime, templates, seen_events) -> None:
    now = at(date(2027, 1, 31))
    first = send_due_reminders(runtime.uow, templates, POLICY, now)
    assert sorted(k.split(":")[0] for k in first) == ["appeal_window", "pending_approval", "skp_due"]
    # A second call (a second worker, or cron and the worker) sends nothing more.
    assert send_due_reminders(runtime.uow, templates, POLICY, now) == []
    assert send_due_reminders(runtime.uow, templates, POLICY, now + timedelta(hours=5)) == []
    sent, inbox, outbox = reminder_rows(runtime)
    assert len(sent) == len(inbox) == 3
    by_kind = {row["kind"]: row for row in sent}
    assert by_kind["pending_approval"]["recipient_nip"] == ATASAN
    assert by_kind["skp_due"]["recipient_nip"] == ATASAN  # Budi has no 2027 SKP; Siti submitted hers
    assert by_kind["appeal_window"]["recipient_nip"] == EMPLOYEE
    delivered = [
        e
        for e in outbox
        if e["event_type"] == "notice.delivered" and e["payload"]["source_event_type"].startswith("reminder.")
    ]
    assert len(delivered) == 3


def test_a_concurrent_copy_that_computed_the_same_reminders_sends_nothing(
    runtime, templates, seen_events, monkeypatch
) -> None:
    """Both copies computed the list before either wrote: the unique key stops the second."""
    from services.notifications.adapters import deadline_facts

    now = at(date(2027, 1, 31))
    monkeypatch.setattr(deadline_facts, "already_sent", lambda session: set())  # blind to the first's rows
    first = send_due_reminders(runtime.uow, templates, POLICY, now)
    second = send_due_reminders(runtime.uow, templates, POLICY, now)
    assert len(first) == 3
    assert second == []
    sent, inbox, _ = reminder_rows(runtime)
    assert len(sent) == len(inbox) == 3


def test_an_approved_plan_stops_the_pending_approval_reminder(runtime, templates, consume, seen_events) -> None:
    consume(envelope("plan.approved", period_year=2027))
    keys = send_due_reminders(runtime.uow, templates, POLICY, at(date(2027, 1, 31)))
    assert not [k for k in keys if k.startswith("pending_approval")]
