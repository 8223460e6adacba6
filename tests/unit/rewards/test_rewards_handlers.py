"""The evaluation.completed handler against a real (SQLite) database: decisions, history, outbox, idempotency."""

from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import select

from services.rewards.adapters.policies import DEFAULT_DIR, POLICY_DIR_ENV
from services.rewards.adapters.tables import decisions, evaluation_history
from services.rewards.bootstrap import event_handlers
from tests.unit.rewards.rewards_samples import ATASAN, EMPLOYEE, TENANT, envelope, evaluation_payload


def rows(runtime, table) -> list[dict]:
    with runtime.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(table)).mappings()]


def test_sangat_baik_grants_a_reward_and_publishes_it(deliver, outbox, runtime) -> None:
    deliver(evaluation_payload(predikat="sangat_baik"))
    [event] = outbox()
    assert event.event_type == "reward.granted"
    assert event.tenant == TENANT
    assert event.aggregate_id == "reward-eval-198503302010011002-2026-annual"
    assert event.payload["awards"] == ["sertifikat_penghargaan", "prioritas_pelatihan"]
    assert event.payload["incentive_percentage"] == 100
    assert event.payload["promotion_eligible"] is False
    assert event.payload["policy_version"] == "default-2026.1"
    [row] = rows(runtime, decisions)
    assert (row["kind"], row["predikat"], row["nip"], row["tenant"]) == ("reward", "sangat_baik", EMPLOYEE, TENANT)
    assert row["policy_version"] == "default-2026.1"


def test_previous_year_baik_makes_this_year_promotion_eligible(deliver, outbox) -> None:
    deliver(evaluation_payload(predikat="baik", period_year=2025))
    deliver(evaluation_payload(predikat="sangat_baik", period_year=2026))
    first, second = outbox()
    assert first.payload["promotion_eligible"] is False  # 2024 unknown
    assert second.payload["promotion_eligible"] is True


def test_previous_year_in_another_tenant_or_quarter_does_not_count(deliver, outbox) -> None:
    deliver(evaluation_payload(predikat="baik", period_year=2025, period="Q4"))
    deliver(evaluation_payload(predikat="baik", period_year=2025), tenant="3674")
    deliver(evaluation_payload(predikat="baik", period_year=2026))
    assert [e.payload["promotion_eligible"] for e in outbox()] == [False, False]


def test_previous_year_below_baik_blocks_promotion(deliver, outbox) -> None:
    deliver(evaluation_payload(predikat="butuh_perbaikan", period_year=2025))
    deliver(evaluation_payload(predikat="baik", period_year=2026))
    coaching, reward = outbox()
    assert coaching.event_type == "coaching.assigned"
    assert reward.payload["promotion_eligible"] is False


def test_kurang_assigns_coaching_and_publishes_it(deliver, outbox, runtime) -> None:
    deliver(evaluation_payload(predikat="kurang"))
    [event] = outbox()
    assert event.event_type == "coaching.assigned"
    assert event.payload["coaching_id"] == "coaching-eval-198503302010011002-2026-annual"
    assert event.payload["coach_nip"] == ATASAN
    assert event.payload["incentive_percentage"] == 85
    assert event.payload["duration_months"] == 6
    assert event.payload["goals"] == ["Tingkatkan capaian IKI 'Pasien dilayani' (realisasi 800 dari target 1200)."]
    [row] = rows(runtime, decisions)
    assert row["kind"] == "coaching"
    assert row["details"]["state"] == "assigned"
    assert row["details"]["coach_nip"] == ATASAN


def test_quarterly_result_is_recorded_in_history_without_a_decision(deliver, count, runtime) -> None:
    deliver(evaluation_payload(predikat="sangat_kurang", period="Q2"))
    assert count("decisions") == 0
    assert count("outbox") == 0
    assert count("event_store") == 0
    [history] = rows(runtime, evaluation_history)
    assert (history["period"], history["predikat"]) == ("Q2", "sangat_kurang")


def test_the_same_evaluation_twice_decides_once(deliver, count, runtime) -> None:
    payload = evaluation_payload(predikat="butuh_perbaikan")
    deliver(payload)
    deliver(payload)  # a new event id (e.g. re-published by the producer), same evaluation
    assert count("decisions") == 1
    assert count("outbox") == 1
    assert count("event_store") == 1
    assert len(rows(runtime, evaluation_history)) == 1


def test_the_same_envelope_twice_decides_once(runtime, count) -> None:
    handler = event_handlers(runtime)["evaluation.completed"]
    event = envelope(evaluation_payload(predikat="baik"))
    for _ in range(2):
        with runtime.uow() as uow:
            handler(uow, event)
            uow.commit()
    assert count("outbox") == 1
    assert count("decisions") == 1


def test_a_handler_failure_leaves_nothing_behind(runtime, count, monkeypatch) -> None:
    import services.rewards.service_layer.handlers as handlers_module

    def broken(*_args, **_kwargs) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(handlers_module.decisions_view, "add", broken)
    handler = event_handlers(runtime)["evaluation.completed"]
    event = envelope(evaluation_payload(predikat="baik"))

    def consume() -> None:  # as the consumer does: commit only after the handler returned
        with runtime.uow() as uow:
            handler(uow, event)
            uow.commit()

    with pytest.raises(RuntimeError, match="boom"):
        consume()
    # The handler never commits on its own: the history row and the event are gone with the rollback.
    assert count("event_store") == 0
    assert count("outbox") == 0
    assert rows(runtime, evaluation_history) == []


def test_a_tenant_override_is_applied_and_its_version_recorded(tmp_path, monkeypatch, runtime, outbox) -> None:
    directory = tmp_path / "policies"
    directory.mkdir()
    shutil.copy(DEFAULT_DIR / "default.json", directory / "default.json")
    override = {"version": "palembang-2026.1", "effective_from": "2026-01-01", "incentive_percentage": {"kurang": 70}}
    (directory / f"{TENANT}.json").write_text(json.dumps(override))
    monkeypatch.setenv(POLICY_DIR_ENV, str(directory))
    handler = event_handlers(runtime)["evaluation.completed"]
    for tenant in (TENANT, "3674"):
        payload = evaluation_payload(predikat="kurang", evaluation_id=f"eval-{tenant}")
        with runtime.uow() as uow:
            handler(uow, envelope(payload, tenant))
            uow.commit()
    own, other = outbox()
    assert (own.payload["incentive_percentage"], own.payload["policy_version"]) == (70, "palembang-2026.1")
    assert (other.payload["incentive_percentage"], other.payload["policy_version"]) == (85, "default-2026.1")
