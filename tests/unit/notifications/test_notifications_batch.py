"""Notifications' consumer batch: what the batch reads up front (people, preferences, existing
notices, webhook subscriptions) never hides a write made earlier in the same batch, and a
redelivery under a new consumer group still stores nothing twice."""

from __future__ import annotations

import logging
import re
import uuid

from sqlalchemy import event, select

from services.notifications.adapters.tables import appeal_windows, deliveries, notices
from shared.contracts import CATALOG
from shared.events import Envelope
from tests.unit.notifications.notifications_samples import ATASAN, EMPLOYEE, employee, envelope, worker_consumer
from tests.unit.shared.conftest import FakeRecord


def as_records(envelopes: list[Envelope]) -> list[FakeRecord]:
    return [FakeRecord(CATALOG.topic_of(e.event_type), 0, i, b"k", e.to_json()) for i, e in enumerate(envelopes)]


def fresh(e: Envelope) -> Envelope:
    """The same event under a new id (another event of the batch)."""
    return Envelope.from_json(e.to_json().replace(e.event_id.encode(), str(uuid.uuid4()).encode()))


def rows(runtime, table) -> list[dict]:
    with runtime.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(table)).mappings()]


def test_a_person_registered_earlier_in_the_batch_is_the_one_the_notice_uses(runtime, caplog) -> None:
    caplog.set_level(logging.INFO, logger="shared.messaging.consumer")
    batch = [
        envelope("employee.registered", **employee(EMPLOYEE, "Siti Aminah", email=None)),
        envelope("employee.updated", **employee(EMPLOYEE, "Siti Aminah", email="siti@palembang.go.id")),
        envelope("evaluation.completed"),
    ]
    outcomes = worker_consumer(runtime).handle_batch(as_records(batch))
    assert [o.status for o in outcomes] == ["processed"] * 3
    # the e-mail address came with the second event, after the batch had read the directory
    (mail,) = [d for d in rows(runtime, deliveries) if d["channel"] == "email"]
    assert mail["address"] == "siti@palembang.go.id"
    assert "redone event by event" not in caplog.text  # one optimistic pass, with what it read up front


def test_a_redelivery_under_a_new_group_stores_no_second_notice(runtime) -> None:
    completed = envelope("evaluation.completed")
    worker_consumer(runtime).handle_batch(as_records([completed, fresh(envelope("plan.returned"))]))
    before = rows(runtime, notices)
    outcomes = worker_consumer(runtime, name="kinerja-notifications-replay").handle_batch(
        as_records([completed, fresh(envelope("plan.returned"))])
    )
    assert [o.status for o in outcomes] == ["processed", "processed"]
    after = rows(runtime, notices)
    # only the new plan.returned made a notice; the replayed evaluation.completed made none
    assert len(after) == len(before) + 1
    assert sorted(n["source_event_id"] for n in after).count(completed.event_id) == 1


def test_a_batch_reads_the_directory_once_not_per_event(runtime) -> None:
    worker_consumer(runtime).handle_batch(
        as_records(
            [
                envelope("employee.registered", **employee(EMPLOYEE, "Siti Aminah")),
                envelope("employee.registered", **employee(ATASAN, "Budi Santoso")),
            ]
        )
    )
    selects: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT") and re.search(r"\bFROM people\b", statement):
            selects.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", seen)
    batch = [fresh(envelope("evaluation.completed")) for _ in range(20)]
    outcomes = worker_consumer(runtime).handle_batch(as_records(batch))
    assert [o.status for o in outcomes] == ["processed"] * 20
    assert len(selects) == 1
    assert len(rows(runtime, notices)) == 20


def test_a_batch_inserts_its_notices_and_e_mails_in_one_statement_each(runtime) -> None:
    worker_consumer(runtime).handle_batch(
        as_records([envelope("employee.registered", **employee(EMPLOYEE, "Siti", email="siti@palembang.go.id"))])
    )
    inserts: list[tuple[str, int]] = []

    def seen(_conn, _cursor, statement, parameters, _context, executemany) -> None:
        if match := re.match(r"\s*INSERT INTO (notices|deliveries)\b", statement):
            inserts.append((match.group(1), len(parameters) if executemany else 1))

    event.listen(runtime.engine, "before_cursor_execute", seen)
    batch = [fresh(envelope("evaluation.completed")) for _ in range(12)]
    outcomes = worker_consumer(runtime).handle_batch(as_records(batch))
    assert [o.status for o in outcomes] == ["processed"] * 12
    assert sorted(inserts) == [("deliveries", 12), ("notices", 12)]
    assert len(rows(runtime, notices)) == 12
    assert len([d for d in rows(runtime, deliveries) if d["channel"] == "email"]) == 12


def test_a_revision_in_the_same_batch_closes_the_appeal_window_its_result_opened(runtime) -> None:
    updates: list[str] = []
    event.listen(
        runtime.engine,
        "before_cursor_execute",
        lambda _c, _cu, statement, *_a: (
            updates.append(statement) if statement.startswith("UPDATE appeal_windows") else None
        ),
    )
    other = "199001012015032003"
    batch = [
        envelope("employee.registered", **employee(other, "Rina Wati")),
        envelope("evaluation.completed", nip=other, employee_name="Rina Wati", evaluation_id="eval-other"),
        envelope("evaluation.completed"),
        envelope("evaluation.revised"),
    ]
    outcomes = worker_consumer(runtime).handle_batch(as_records(batch))
    assert [o.status for o in outcomes] == ["processed"] * 4
    windows = {(w["nip"], w["evaluation_id"]): w["closed"] for w in rows(runtime, appeal_windows)}
    revised = batch[3].payload
    assert windows == {
        (other, "eval-other"): False,
        (EMPLOYEE, batch[2].payload["evaluation_id"]): True,  # replaced by the revision
        (EMPLOYEE, f"{revised['evaluation_id']}#r{revised['revision']}"): False,
    }
    # nobody had a window before the batch: only the revision has an earlier one to close
    assert len(updates) == 1
