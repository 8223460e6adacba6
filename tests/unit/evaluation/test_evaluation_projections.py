"""Planning's events build evaluation's projection of approved plans and realisasi, idempotently."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from services.evaluation.adapters.tables import plans, realisasi
from tests.unit.evaluation.evaluation_samples import (
    ATASAN,
    SKP_ID,
    TENANT,
    envelope,
    plan_payload,
    progress_payload,
)


def _rows(runtime, table):
    with runtime.uow() as uow:
        return [dict(r) for r in uow.session.execute(select(table)).mappings()]


def _count(runtime, table) -> int:
    with runtime.uow() as uow:
        return uow.session.execute(select(func.count()).select_from(table)).scalar_one()


def test_plan_approved_builds_the_plan_row(runtime, deliver):
    deliver(envelope("plan.approved", plan_payload()))
    [row] = _rows(runtime, plans)
    assert row["skp_id"] == SKP_ID
    assert row["tenant"] == TENANT
    assert row["atasan_nip"] == ATASAN
    assert row["atasan_name"] == "Budi Santoso"
    assert row["period_year"] == 2026
    assert [r["kind"] for r in row["rhk"]] == ["utama", "tambahan"]
    assert row["rhk"][0]["iki"][1]["direction"] == "lower_is_better"


def test_same_plan_event_twice_gives_one_row_with_the_same_values(runtime, deliver):
    event = envelope("plan.approved", plan_payload())
    deliver(event)
    first = _rows(runtime, plans)
    deliver(event)
    assert _count(runtime, plans) == 1
    assert _rows(runtime, plans) == first


def test_a_newer_approval_replaces_the_plan_and_an_older_one_does_not(runtime, deliver):
    now = datetime.now(UTC)
    deliver(envelope("plan.approved", plan_payload(unit="Puskesmas Lama"), aggregate_version=3, occurred_at=now))
    deliver(
        envelope(
            "plan.approved",
            plan_payload(unit="Puskesmas Baru"),
            aggregate_version=7,
            occurred_at=now + timedelta(days=1),
        )
    )
    # a late redelivery of the old approval must not roll the plan back
    deliver(envelope("plan.approved", plan_payload(unit="Puskesmas Lama"), aggregate_version=3, occurred_at=now))
    [row] = _rows(runtime, plans)
    assert (row["unit"], row["source_version"]) == ("Puskesmas Baru", 7)


def test_progress_is_kept_even_before_the_plan_is_known(runtime, deliver):
    deliver(envelope("progress.reported", progress_payload("rhk1.iki1", 1, 300, note="Triwulan I")))
    [row] = _rows(runtime, realisasi)
    assert (row["skp_id"], row["iki_id"], row["quarter"]) == (SKP_ID, f"{SKP_ID}.rhk1.iki1", 1)
    assert (row["value"], row["note"], row["tenant"]) == (300.0, "Triwulan I", TENANT)
    assert _count(runtime, plans) == 0


def test_same_progress_event_twice_gives_one_row(runtime, deliver):
    event = envelope("progress.reported", progress_payload("rhk1.iki1", 1, 300))
    deliver(event)
    first = _rows(runtime, realisasi)
    deliver(event)
    assert _rows(runtime, realisasi) == first


def test_latest_report_for_a_quarter_wins_and_quarters_are_kept_apart(runtime, deliver):
    deliver(envelope("progress.reported", progress_payload("rhk1.iki1", 1, 300), aggregate_version=4))
    deliver(envelope("progress.reported", progress_payload("rhk1.iki1", 2, 650), aggregate_version=5))
    deliver(envelope("progress.reported", progress_payload("rhk1.iki1", 1, 320), aggregate_version=6))
    deliver(envelope("progress.reported", progress_payload("rhk1.iki1", 1, 300), aggregate_version=4))  # stale
    values = {row["quarter"]: row["value"] for row in _rows(runtime, realisasi)}
    assert values == {1: 320.0, 2: 650.0}
