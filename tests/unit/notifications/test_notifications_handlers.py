"""Consumed events become notices: one per recipient, in both languages, never twice."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from services.notifications.adapters.tables import eventing, notices
from services.notifications.bootstrap import event_handlers
from services.notifications.domain.facts import CONSUMED_EVENT_TYPES, drafts_for
from services.notifications.domain.notice import Notice, notice_id_for
from services.notifications.domain.templates import RenderedNotice, TemplateSet
from services.notifications.service_layer.handlers import notify
from shared.contracts import CATALOG
from shared.errors import NotFound
from shared.events import Envelope
from shared.messaging.consumer import IdempotentConsumer
from tests.unit.notifications.notifications_samples import ATASAN, EMPLOYEE, TENANT, envelope


def rows(runtime, table):
    with runtime.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(table)).mappings()]


def delivered(runtime):
    return [json.loads(r["value"]) for r in rows(runtime, eventing.outbox) if r["event_type"] == "notice.delivered"]


@pytest.mark.parametrize("event_type", CONSUMED_EVENT_TYPES)
def test_one_notice_per_recipient_and_a_redelivery_adds_nothing(runtime, consume, counts, event_type) -> None:
    env = envelope(event_type)
    recipients = [d.recipient_nip for d in drafts_for(event_type, env.payload)]

    consume(env)
    assert counts() == (len(recipients), len(recipients))
    consume(env)  # the same event again (e.g. read by a new consumer group): nothing new
    assert counts() == (len(recipients), len(recipients))

    stored = rows(runtime, notices)
    assert sorted(r["recipient_nip"] for r in stored) == sorted(recipients)
    for row in stored:
        assert row["notice_id"] == notice_id_for(env.event_id, row["recipient_nip"])
        assert (row["tenant"], row["event_type"], row["source_event_id"]) == (TENANT, event_type, env.event_id)
        assert row["read_at"] is None
        for column in ("title_id", "body_id", "title_en", "body_en"):
            assert row[column]
            assert "$" not in row[column]
        assert row["title_id"] != row["title_en"]


def test_plan_submitted_goes_to_the_atasan(runtime, consume) -> None:
    consume(envelope("plan.submitted"))
    (row,) = rows(runtime, notices)
    assert row["recipient_nip"] == ATASAN
    assert "Siti Aminah" in row["title_id"]


def test_plan_returned_carries_the_reason(runtime, consume) -> None:
    consume(envelope("plan.returned", reason="Lengkapi IKI kualitas"))
    (row,) = rows(runtime, notices)
    assert row["recipient_nip"] == EMPLOYEE
    assert "Lengkapi IKI kualitas" in row["body_id"]
    assert "Lengkapi IKI kualitas" in row["body_en"]


def test_an_appeal_goes_to_the_decider_with_the_deadline_and_its_decision_to_the_employee(runtime, consume) -> None:
    consume(envelope("employee.registered"))  # the directory learns Siti's name
    filed = envelope("appeal.filed")
    consume(filed)
    (to_decider,) = rows(runtime, notices)
    assert to_decider["recipient_nip"] == filed.payload["decider_nip"]
    assert "19 Januari 2027 pukul 15.00 WIB" in to_decider["body_id"]  # 08:00 UTC, told in local time
    assert "Siti Aminah" in to_decider["title_id"]  # the name from the directory, not the NIP
    consume(envelope("appeal.decided", decision="rejected"))
    decided = next(r for r in rows(runtime, notices) if r["event_type"] == "appeal.decided")
    assert decided["recipient_nip"] == EMPLOYEE
    assert "ditolak" in decided["title_id"]
    assert "rejected" in decided["title_en"]


def test_coaching_steps_reach_the_employee_in_words(runtime, consume) -> None:
    consume(envelope("coaching.check_in_recorded", progress="at_risk"))
    consume(envelope("coaching.closed"))
    by_type = {r["event_type"]: r for r in rows(runtime, notices)}
    assert "berisiko tidak tercapai" in by_type["coaching.check_in_recorded"]["body_id"]
    assert "15 Februari 2027" in by_type["coaching.check_in_recorded"]["body_id"]
    assert "uji kompetensi" in by_type["coaching.closed"]["body_id"]
    assert "competency test" in by_type["coaching.closed"]["body_en"]


def test_coaching_gives_the_employee_and_the_coach_a_notice_each(runtime, consume, counts) -> None:
    env = envelope("coaching.assigned")
    consume(env)
    consume(env)
    assert counts() == (2, 2)
    by_recipient = {r["recipient_nip"]: r for r in rows(runtime, notices)}
    assert set(by_recipient) == {EMPLOYEE, ATASAN}
    assert "pembina Siti Aminah" in by_recipient[ATASAN]["title_id"]
    assert "coaching Siti Aminah" in by_recipient[ATASAN]["title_en"]
    assert "pembinaan" in by_recipient[EMPLOYEE]["title_id"]


def test_each_stored_notice_is_announced_as_delivered(runtime, consume) -> None:
    env = envelope("coaching.assigned")
    consume(env)
    published = delivered(runtime)
    assert len(published) == 2
    for event in published:
        payload = event["payload"]
        assert payload["channel"] == "in_app"
        assert payload["source_event_type"] == "coaching.assigned"
        assert payload["source_event_id"] == env.event_id
        assert payload["notice_id"] == notice_id_for(env.event_id, payload["nip"])
        assert event["tenant"] == TENANT
        assert event["aggregate_id"] == payload["notice_id"]
    assert {e["payload"]["nip"] for e in published} == {EMPLOYEE, ATASAN}
    # Keyed by the recipient's NIP, like every per-person event.
    assert sorted(r["message_key"] for r in rows(runtime, eventing.outbox)) == sorted([EMPLOYEE, ATASAN])


def test_notices_are_event_sourced(runtime, consume) -> None:
    env = envelope("evaluation.completed")
    consume(env)
    notice_id = notice_id_for(env.event_id, EMPLOYEE)
    with runtime.uow() as uow:
        notice = uow.events.get(Notice, notice_id)
    assert notice is not None
    assert notice.version == 1
    assert (notice.tenant, notice.recipient_nip, notice.event_type) == (TENANT, EMPLOYEE, "evaluation.completed")
    assert set(notice.texts) == {"id", "en"}
    stored = rows(runtime, eventing.event_store)
    assert [(r["aggregate_type"], r["event_type"]) for r in stored] == [("notice", "notice.created")]


def test_two_events_give_two_notices(runtime, consume, counts) -> None:
    consume(envelope("plan.returned"))
    consume(envelope("plan.returned"))  # a new event id: returned a second time
    assert counts() == (2, 2)


def test_a_template_error_writes_nothing_for_any_recipient(runtime, counts) -> None:
    env = envelope("coaching.assigned")
    # Only the employee's template exists: the coach's notice fails, the whole event rolls back.
    partial = TemplateSet.from_texts(
        {("id", "coaching.assigned"): "T $employee_name\nB", ("en", "coaching.assigned"): "T $employee_name\nB"}
    )
    with runtime.uow() as uow:
        with pytest.raises(LookupError):
            notify(uow, env, partial)
        uow.commit()  # the consumer would roll back; even a commit finds nothing written
    assert counts() == (0, 0)


def test_notice_delivered_validates_against_the_contract(runtime, consume) -> None:
    consume(envelope("reward.granted"))
    (event,) = delivered(runtime)
    assert CATALOG.read(Envelope.from_dict(event)).payload["nip"] == EMPLOYEE


# --- the aggregate ----------------------------------------------------------------------------


def make_notice() -> Notice:
    return Notice.create(
        tenant=TENANT,
        recipient_nip=EMPLOYEE,
        event_type="plan.approved",
        source_event_id="e-1",
        rendered=RenderedNotice({"id": ("Judul", "Isi"), "en": ("Title", "Body")}),
        at=datetime(2026, 1, 2, tzinfo=UTC),
    )


def test_marking_read_is_idempotent() -> None:
    notice = make_notice()
    first = datetime(2026, 1, 3, tzinfo=UTC)
    assert notice.mark_read(EMPLOYEE, first) is True
    assert notice.mark_read(EMPLOYEE, datetime(2026, 1, 4, tzinfo=UTC)) is False
    assert notice.read_at == first
    assert [e.event_type for e in notice.pending] == ["notice.created", "notice.read"]


def test_only_the_recipient_may_mark_read() -> None:
    notice = make_notice()
    with pytest.raises(NotFound):
        notice.mark_read(ATASAN, datetime(2026, 1, 3, tzinfo=UTC))
    assert notice.read_at is None


def test_a_notice_rehydrates_from_its_events() -> None:
    notice = make_notice()
    notice.mark_read(EMPLOYEE, datetime(2026, 1, 3, tzinfo=UTC))
    again = Notice.rehydrate(notice.id, notice.pending)
    assert (again.version, again.read_at, again.texts) == (2, notice.read_at, notice.texts)


def test_notice_ids_are_deterministic_per_event_and_recipient() -> None:
    assert notice_id_for("e-1", EMPLOYEE) == notice_id_for("e-1", EMPLOYEE)
    assert notice_id_for("e-1", EMPLOYEE) != notice_id_for("e-1", ATASAN)
    assert notice_id_for("e-1", EMPLOYEE) != notice_id_for("e-2", EMPLOYEE)


# --- through the real idempotent consumer (fake Kafka record, no broker) ----------------------


@dataclass
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]] | None = None


class NoDeadLetters:
    def send(self, *_args, **_kwargs):
        raise AssertionError("nothing should be dead-lettered")


def test_the_worker_consumer_stores_each_event_once(runtime, counts) -> None:
    def consumer(group: str) -> IdempotentConsumer:
        return IdempotentConsumer(
            name=group,
            catalog=CATALOG,
            handlers=event_handlers(runtime),
            uow_factory=runtime.uow,
            dlq_producer=NoDeadLetters(),
            sleep=lambda _s: None,
        )

    env = envelope("coaching.assigned")
    wire = Envelope.new(
        event_type=env.event_type,
        schema_version=1,
        producer="rewards",
        tenant=TENANT,
        aggregate_id="c-1",
        aggregate_version=1,
        payload=env.payload,
        correlation_id="corr-1",
    )
    record = Record(CATALOG.topic_of("coaching.assigned"), 0, 7, EMPLOYEE.encode(), wire.to_json())
    first = consumer("kinerja-notifications")
    assert first.handle(record).status == "processed"
    assert first.handle(record).status == "duplicate"
    # A second consumer group (no shared inbox row) still adds nothing: notice ids are deterministic.
    assert consumer("kinerja-notifications-replay").handle(record).status == "processed"
    assert counts() == (2, 2)


def test_a_name_the_event_lacks_comes_from_the_directory(runtime, consume) -> None:
    from tests.unit.notifications.notifications_samples import employee

    consume(envelope("employee.registered", **employee(ATASAN, "Budi Santoso", atasan_nip=None)))
    consume(envelope("plan.returned"))  # carries returned_by (a NIP) but no returned_by_name
    (row,) = rows(runtime, notices)
    assert "Budi Santoso mengembalikan" in row["body_id"]
    assert "Budi Santoso returned" in row["body_en"]
