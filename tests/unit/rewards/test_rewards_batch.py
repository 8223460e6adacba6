"""Rewards' consumer batch: what the batch reads up front (employees, ledger, history) never hides a
write made earlier in the same batch, and the batch reads them once, not per evaluation."""

from __future__ import annotations

import logging
import re

from sqlalchemy import event, select

from services.rewards.adapters.tables import decisions, eventing
from services.rewards.bootstrap import event_handlers, load_config
from services.rewards.service_layer import handlers
from shared.contracts import CATALOG
from shared.events import Envelope
from shared.messaging.consumer import IdempotentConsumer
from tests.unit.rewards.rewards_samples import employee_record, envelope, evaluation_payload, revised_payload
from tests.unit.rewards.test_rewards_handlers import ADMIN_PRINCIPAL, UNIT, _publish
from tests.unit.shared.conftest import FakeProducer, FakeRecord

NIPS = [f"19850330201001{n:04d}" for n in range(1, 21)]


def consumer(runtime) -> IdempotentConsumer:
    return IdempotentConsumer(
        name="kinerja-rewards",
        catalog=CATALOG,
        handlers=event_handlers(runtime),
        uow_factory=runtime.uow,
        dlq_producer=FakeProducer(),
        sleep=lambda _s: None,
    )


def as_records(envelopes: list[Envelope]) -> list[FakeRecord]:
    return [FakeRecord(CATALOG.topic_of(e.event_type), 0, i, b"k", e.to_json()) for i, e in enumerate(envelopes)]


def decision_rows(runtime) -> list[dict]:
    with runtime.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(decisions).order_by(decisions.c.seq)).mappings()]


def test_a_revision_later_in_the_same_batch_replaces_the_decision_taken_earlier_in_it(runtime, caplog) -> None:
    caplog.set_level(logging.INFO, logger="shared.messaging.consumer")
    batch = [
        envelope(employee_record(), event_type="employee.registered"),
        envelope(evaluation_payload(predikat="baik")),
        envelope(revised_payload(revision=1, previous_predikat="baik", predikat="sangat_baik")),
    ]
    outcomes = consumer(runtime).handle_batch(as_records(batch))
    assert [o.status for o in outcomes] == ["processed"] * 3
    rows = decision_rows(runtime)
    # the first decision (read as "no entry yet" up front) is revoked by the revision's, not duplicated
    assert [(r["predikat"], r["active"]) for r in rows] == [("baik", False), ("sangat_baik", True)]
    assert rows[0]["seq"] < rows[1]["seq"]
    # in one optimistic pass: a stale read would have surfaced as a conflict and a redone batch
    assert "redone event by event" not in caplog.text


def test_a_batch_reads_employees_the_ledger_and_iki_aspects_once_and_numbers_its_decisions_in_order(runtime) -> None:
    consumer(runtime).handle_batch(
        as_records([envelope(employee_record(nip), event_type="employee.registered") for nip in NIPS])
    )
    reads: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        if re.match(r"\s*SELECT", statement) and re.search(
            r"\bFROM (employees|period_ledger|policy_versions|iki_aspects)\b", statement
        ):
            reads.append(re.search(r"\bFROM (\w+)", statement).group(1))

    event.listen(runtime.engine, "before_cursor_execute", seen)
    weak = [{"kind": "iki", "ref": "skp-1.rhk1.iki1", "label": "Waktu layanan", "gap": -20.0}]
    evaluations = [envelope(evaluation_payload(nip=nip, weaknesses=weak)) for nip in NIPS]
    outcomes = consumer(runtime).handle_batch(as_records(evaluations))
    assert [o.status for o in outcomes] == ["processed"] * len(NIPS)
    assert sorted(reads) == ["employees", "iki_aspects", "period_ledger", "policy_versions"]
    rows = decision_rows(runtime)
    assert [r["nip"] for r in rows] == NIPS
    assert [r["seq"] for r in rows] == list(range(1, len(NIPS) + 1))


def test_a_unit_budget_is_allocated_in_one_batch_as_it_is_event_by_event(runtime) -> None:
    """The batch's decisions, ledger and history rows wait for its end; the unit's claims read up front
    must still count every decision taken earlier in the batch, and a revocation must free its money."""
    _publish(runtime, incentive={"base_amount": {"default": 24_000_000}, "budget_exhausted": "waitlist"})
    staff = NIPS[:3]
    consumer(runtime).handle_batch(
        as_records([envelope(employee_record(nip), event_type="employee.registered") for nip in staff])
    )
    handlers.set_budget(runtime.uow(), ADMIN_PRINCIPAL, UNIT, 2026, 50_000_000)
    writes: list[tuple[str, bool]] = []

    def seen(_conn, _cursor, statement, _params, _context, executemany) -> None:
        if match := re.match(r"\s*INSERT INTO (decisions|period_ledger|evaluation_history)\b", statement):
            writes.append((match.group(1), executemany))

    event.listen(runtime.engine, "before_cursor_execute", seen)
    batch = [envelope(evaluation_payload(predikat="baik", nip=nip)) for nip in staff]
    batch.append(envelope(revised_payload(revision=1, previous_predikat="baik", predikat="kurang", nip=staff[0])))
    outcomes = consumer(runtime).handle_batch(as_records(batch))
    assert [o.status for o in outcomes] == ["processed"] * 4
    with runtime.engine.connect() as conn:
        values = conn.execute(select(eventing.outbox.c.value).order_by(eventing.outbox.c.id)).scalars()
        calculated = [e.payload for e in map(Envelope.from_json, values) if e.event_type == "incentive.calculated"]
    # as test_rewards_handlers' waitlist case delivers them one transaction each
    assert [p["budget_status"] for p in calculated] == ["within_budget", "within_budget", "waitlisted", "waitlisted"]
    register = handlers.read_register(runtime.uow(), load_config(), ADMIN_PRINCIPAL, 2026)
    by_nip = {r["nip"]: r for r in register["rows"]}
    assert by_nip[staff[2]]["budget_status"] == "within_budget"  # moved up when the first claim was replaced
    assert by_nip[staff[0]]["budget_status"] == "waitlisted"
    assert [(r["predikat"], r["active"]) for r in decision_rows(runtime)] == [
        ("baik", False),
        ("baik", True),
        ("baik", True),
        ("kurang", True),
    ]
    # the batch's rows go in a statement per table, sent when the batch ends — or earlier when a read
    # must see them (the revocation re-reads the decision it revokes): at most two per table, where
    # row by row it would be 13 (4 history, 5 decisions, 4 ledger rows)
    per_table = {table: [many for t, many in writes if t == table] for table, _ in writes}
    assert sorted(per_table) == ["decisions", "evaluation_history", "period_ledger"]
    assert all(len(statements) <= 2 for statements in per_table.values()), writes
    assert any(many for _, many in writes)
