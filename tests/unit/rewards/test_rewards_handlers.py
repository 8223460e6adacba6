"""The consumers against a real (SQLite) database: decisions and their events, the employee and plan
projections, idempotent redelivery, revision revoke/replace, budgets, policy versions and re-runs."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from services.rewards.adapters.policies import DEFAULT_DIR, POLICY_DIR_ENV, load_policies, policy_document
from services.rewards.adapters.tables import decisions, evaluation_history
from services.rewards.bootstrap import event_handlers, load_config
from services.rewards.service_layer import handlers
from shared.auth import Principal
from shared.errors import Forbidden
from tests.unit.rewards.rewards_samples import (
    ADMIN,
    ATASAN,
    COLLEAGUE,
    EMPLOYEE,
    TENANT,
    UNIT,
    employee_record,
    envelope,
    evaluation_payload,
    plan_payload,
    revised_payload,
    weakness,
)

REWARD_ID = "reward-eval-198503302010011002-2026-annual"
ADMIN_PRINCIPAL = Principal(ADMIN, frozenset({"admin_instansi"}), TENANT)


def rows(runtime, table) -> list[dict]:
    with runtime.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(table)).mappings()]


def types(events) -> list[str]:
    return [e.event_type for e in events]


def test_sangat_baik_grants_a_reward_and_publishes_its_consequences(deliver, outbox, runtime) -> None:
    deliver(evaluation_payload(predikat="sangat_baik"))
    assert types(outbox()) == [
        "reward.granted",
        "incentive.calculated",
        "promotion_eligibility.determined",
        "training.recommended",
    ]
    granted, incentive, promotion, training = outbox()
    assert {e.tenant for e in outbox()} == {TENANT}
    assert {e.aggregate_id for e in outbox()} == {REWARD_ID}
    assert granted.payload["awards"] == [
        "sertifikat_penghargaan",
        "prioritas_pelatihan",
        "rekomendasi_kenaikan_pangkat",
    ]
    assert granted.payload["policy_version"] == "default-2026.1"
    assert incentive.payload["incentive_percentage"] == 100
    assert incentive.payload["budget_status"] == "no_budget"  # no employee record: no unit, no budget
    assert incentive.payload["payable_amount"] == 24_000_000
    assert promotion.payload["eligible"] is False
    assert training.payload["priority"] is True
    [row] = rows(runtime, decisions)
    assert (row["kind"], row["predikat"], row["state"], row["active"]) == ("reward", "sangat_baik", "granted", True)


def test_the_employee_register_supplies_unit_jenjang_and_coach(deliver, outbox) -> None:
    deliver(
        employee_record(position_kind="fungsional", grade="ahli_muda", atasan=COLLEAGUE),
        event_type="employee.registered",
    )
    deliver(evaluation_payload(predikat="kurang"))
    assert types(outbox()) == [
        "coaching.assigned",
        "incentive.calculated",
        "promotion_eligibility.determined",
        "credit_points.converted",
        "training.recommended",
    ]
    assigned, incentive, _, points, _ = outbox()
    assert assigned.payload["coach_nip"] == COLLEAGUE  # the register's atasan, not the evaluation's
    assert (incentive.payload["unit_id"], incentive.payload["base_amount"]) == (UNIT, 36_000_000)
    assert (points.payload["jenjang"], points.payload["credit_points"]) == ("ahli_muda", 12.5)


def test_a_moved_employee_is_decided_in_the_new_unit(deliver, outbox) -> None:
    deliver(employee_record(), event_type="employee.registered")
    moved = {
        **employee_record(unit_id="dinkes", unit_name="Dinas Kesehatan"),
        "from_unit_id": UNIT,
        "from_position_name": "x",
    }
    deliver(moved, event_type="employee.moved")
    deliver(evaluation_payload(predikat="baik"))
    assert outbox("incentive.calculated")[0].payload["unit_name"] == "Dinas Kesehatan"


def test_previous_year_baik_makes_this_year_promotion_eligible(deliver, outbox) -> None:
    deliver(evaluation_payload(predikat="baik", period_year=2025))
    deliver(evaluation_payload(predikat="sangat_baik", period_year=2026))
    first, second = outbox("promotion_eligibility.determined")
    assert first.payload["eligible"] is False  # 2024 unknown
    assert second.payload["eligible"] is True
    assert outbox("reward.granted")[1].payload["promotion_eligible"] is True


def test_previous_year_in_another_tenant_or_quarter_does_not_count(deliver, outbox) -> None:
    deliver(evaluation_payload(predikat="baik", period_year=2025, period="Q4"))
    deliver(evaluation_payload(predikat="baik", period_year=2025), tenant="3674")
    deliver(evaluation_payload(predikat="baik", period_year=2026))
    assert [e.payload["eligible"] for e in outbox("promotion_eligibility.determined")] == [False, False]


def test_quarterly_result_is_recorded_in_history_without_a_decision(deliver, count, runtime) -> None:
    deliver(evaluation_payload(predikat="sangat_kurang", period="Q2"))
    assert (count("decisions"), count("outbox"), count("event_store")) == (0, 0, 0)
    [history] = rows(runtime, evaluation_history)
    assert (history["period"], history["predikat"]) == ("Q2", "sangat_kurang")


def test_the_same_evaluation_twice_decides_once(deliver, count) -> None:
    payload = evaluation_payload(predikat="butuh_perbaikan")
    deliver(payload)
    before = (count("decisions"), count("outbox"), count("event_store"))
    deliver(payload)  # a new event id (e.g. re-published by the producer), same evaluation
    assert (count("decisions"), count("outbox"), count("event_store")) == before == (1, 4, 1)


def test_the_same_envelope_twice_decides_once(runtime, count) -> None:
    handler = event_handlers(runtime)["evaluation.completed"]
    event = envelope(evaluation_payload(predikat="baik"))
    for _ in range(2):
        with runtime.uow() as uow:
            handler(uow, event)
            uow.commit()
    assert (count("outbox"), count("decisions")) == (3, 1)


def test_a_revision_revokes_and_replaces_with_both_visible(deliver, outbox, runtime) -> None:
    deliver(evaluation_payload(predikat="butuh_perbaikan"))
    deliver(
        revised_payload(revision=1, previous_predikat="butuh_perbaikan", predikat="baik", reason="Banding dikabulkan")
    )
    revision_events = outbox()[4:]
    assert types(revision_events)[:2] == ["reward.revoked", "reward.granted"]
    revoked, granted = revision_events[:2]
    old_id = "coaching-eval-198503302010011002-2026-annual"
    assert revoked.payload["decision_id"] == old_id
    assert revoked.payload["decision_kind"] == "coaching"
    assert revoked.payload["reason"] == "evaluation_revised"
    assert revoked.payload["reason_text"] == "Banding dikabulkan"
    assert revoked.payload["replaced_by"] == f"{REWARD_ID}-2"
    assert granted.payload["decision_id"] == f"{REWARD_ID}-2"
    assert granted.payload["replaces"] == old_id
    by_id = {r["decision_id"]: r for r in rows(runtime, decisions)}
    assert by_id[old_id]["active"] is False
    assert by_id[old_id]["details"]["revoked"]["replaced_by"] == f"{REWARD_ID}-2"
    assert by_id[f"{REWARD_ID}-2"]["active"] is True
    assert by_id[f"{REWARD_ID}-2"]["details"]["revision"] == 1


def test_a_duplicate_or_stale_revision_changes_nothing(deliver, count) -> None:
    deliver(evaluation_payload(predikat="kurang"))
    deliver(revised_payload(revision=2, previous_predikat="kurang", predikat="baik"))
    before = (count("decisions"), count("outbox"), count("event_store"))
    deliver(revised_payload(revision=2, previous_predikat="kurang", predikat="baik"))  # redelivered
    deliver(revised_payload(revision=1, previous_predikat="kurang", predikat="sangat_kurang"))  # late, older
    deliver(evaluation_payload(predikat="kurang"))  # the original, re-published
    assert (count("decisions"), count("outbox"), count("event_store")) == before


def test_a_second_revision_replaces_the_first_replacement(deliver, outbox, runtime) -> None:
    deliver(evaluation_payload(predikat="kurang"))
    deliver(revised_payload(revision=1, previous_predikat="kurang", predikat="baik"))
    deliver(revised_payload(revision=2, previous_predikat="baik", predikat="sangat_baik"))
    assert [e.payload["decision_id"] for e in outbox("reward.revoked")] == [
        "coaching-eval-198503302010011002-2026-annual",
        f"{REWARD_ID}-2",
    ]
    active = [r["decision_id"] for r in rows(runtime, decisions) if r["active"]]
    assert active == [f"{REWARD_ID}-3"]


def test_a_revision_without_an_earlier_decision_simply_decides(deliver, outbox) -> None:
    deliver(revised_payload(revision=1, previous_predikat="kurang", predikat="baik"))
    assert types(outbox())[0] == "reward.granted"
    assert outbox()[0].payload["replaces"] is None


def test_a_revised_earlier_year_feeds_promotion_of_later_decisions(deliver, outbox) -> None:
    deliver(evaluation_payload(predikat="kurang", period_year=2025))
    deliver(revised_payload(revision=1, previous_predikat="kurang", predikat="baik", period_year=2025))
    deliver(evaluation_payload(predikat="baik", period_year=2026))
    assert outbox("promotion_eligibility.determined")[-1].payload["eligible"] is True


def test_iki_aspects_from_approved_plans_match_training(deliver, outbox) -> None:
    deliver(plan_payload(iki_aspects={"iki-9": "kualitas"}), event_type="plan.approved")
    deliver(evaluation_payload(predikat="kurang", weaknesses=[weakness("iki", "iki-9", "Mutu laporan", -30)]))
    [training] = outbox("training.recommended")
    assert [c["course_id"] for c in training.payload["courses"]] == ["KINERJA-KUAL-01"]
    assert training.payload["courses"][0]["matched_label"] == "Mutu laporan"


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
    assert (count("event_store"), count("outbox")) == (0, 0)
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
    own, other = outbox("coaching.assigned")
    assert (own.payload["incentive_percentage"], own.payload["policy_version"]) == (70, "palembang-2026.1")
    assert (other.payload["incentive_percentage"], other.payload["policy_version"]) == (85, "default-2026.1")


# --- budgets ----------------------------------------------------------------------------------


def _staff(deliver, count: int) -> list[str]:
    nips = [f"1990010120150310{i:02d}" for i in range(1, count + 1)]
    for nip in nips:
        deliver(employee_record(nip), event_type="employee.registered")
    return nips


def _publish(runtime, **changes) -> None:
    document = policy_document(load_policies(DEFAULT_DIR).default)
    document.update(version="p-2", effective_from="2026-06-01", **changes)
    from services.rewards.adapters.policies import policy_from_data, validate_policy

    policy = policy_from_data(validate_policy(document), TENANT, source="published")
    handlers.publish_policy(runtime.uow(), load_config(), ADMIN_PRINCIPAL, policy)


def test_pro_rata_budget_scales_the_unit_register(deliver, runtime, outbox) -> None:
    nips = _staff(deliver, 3)
    handlers.set_budget(runtime.uow(), ADMIN_PRINCIPAL, UNIT, 2026, 60_000_000)
    for nip in nips:
        deliver(evaluation_payload(predikat="baik", nip=nip))
    statuses = [e.payload["budget_status"] for e in outbox("incentive.calculated")]
    assert statuses == ["within_budget", "within_budget", "pro_rata"]  # at decision time
    register = handlers.read_register(runtime.uow(), load_config(), ADMIN_PRINCIPAL, 2026)
    [unit] = register["units"]
    assert (unit["budget"], unit["gross_total"], unit["payable_total"]) == (60_000_000, 72_000_000, 60_000_000)
    assert {r["payable_amount"] for r in register["rows"]} == {20_000_000}
    assert register["budget_behaviour"] == "pro_rata"


def test_waitlist_budget_waits_and_a_revocation_frees_money(deliver, runtime, outbox) -> None:
    _publish(runtime, incentive={"base_amount": {"default": 24_000_000}, "budget_exhausted": "waitlist"})
    nips = _staff(deliver, 3)
    handlers.set_budget(runtime.uow(), ADMIN_PRINCIPAL, UNIT, 2026, 50_000_000)
    for nip in nips:
        deliver(evaluation_payload(predikat="baik", nip=nip))
    assert [e.payload["budget_status"] for e in outbox("incentive.calculated")] == [
        "within_budget",
        "within_budget",
        "waitlisted",
    ]
    deliver(revised_payload(revision=1, previous_predikat="baik", predikat="kurang", nip=nips[0]))
    register = handlers.read_register(runtime.uow(), load_config(), ADMIN_PRINCIPAL, 2026)
    by_nip = {r["nip"]: r for r in register["rows"]}
    assert by_nip[nips[2]]["budget_status"] == "within_budget"  # moved up when the first claim was replaced
    assert by_nip[nips[0]]["budget_status"] == "waitlisted"  # the replacement queues at the end
    assert by_nip[nips[0]]["gross_amount"] == 24_000_000 * 0.85


# --- policy versions and re-runs ---------------------------------------------------------------


def test_past_decisions_keep_their_version_until_an_explicit_rerun(deliver, runtime, outbox) -> None:
    deliver(evaluation_payload(predikat="kurang", period_year=2025))
    deliver(evaluation_payload(predikat="kurang", period_year=2026))
    _publish(
        runtime,
        incentive_percentage={
            **policy_document(load_policies(DEFAULT_DIR).default)["incentive_percentage"],
            "kurang": 70,
        },
    )
    assert [e.payload["policy_version"] for e in outbox("coaching.assigned")] == ["default-2026.1"] * 2
    result = handlers.rerun_period(runtime.uow(), load_config(), ADMIN_PRINCIPAL, 2026)
    assert result == {
        "period_year": 2026,
        "policy_version": "p-2",
        "redecided": ["coaching-eval-198503302010011002-2026-annual-2"],
        "unchanged": 0,
    }
    revoked = outbox("reward.revoked")[-1]
    assert (revoked.payload["reason"], revoked.payload["period_year"]) == ("policy_rerun", 2026)
    replacement = outbox("coaching.assigned")[-1]
    assert (replacement.payload["policy_version"], replacement.payload["incentive_percentage"]) == ("p-2", 70)
    # 2025 results take effect on 2026-01-01, before p-2: not touched; a second run changes nothing.
    assert handlers.rerun_period(runtime.uow(), load_config(), ADMIN_PRINCIPAL, 2025)["redecided"] == []
    assert handlers.rerun_period(runtime.uow(), load_config(), ADMIN_PRINCIPAL, 2026) == {
        "period_year": 2026,
        "policy_version": "p-2",
        "redecided": [],
        "unchanged": 1,
    }


def test_a_published_version_decides_later_periods(deliver, runtime, outbox) -> None:
    _publish(
        runtime,
        incentive_percentage={
            **policy_document(load_policies(DEFAULT_DIR).default)["incentive_percentage"],
            "baik": 95,
        },
    )
    deliver(evaluation_payload(predikat="baik", period_year=2026))
    assert outbox("reward.granted")[0].payload["policy_version"] == "p-2"
    assert outbox("reward.granted")[0].payload["incentive_percentage"] == 95


def test_policy_versions_list_marks_the_one_in_force(runtime) -> None:
    config = load_config()
    config = type(config)(config.policies, config.catalogue, today=lambda: date(2026, 7, 1))
    _publish(runtime)
    versions = handlers.policy_versions(runtime.uow(), config, TENANT)
    assert [(v["version"], v["source"], v["in_force"]) for v in versions] == [
        ("default-2026.1", "default", False),
        ("p-2", "published", True),
    ]
    assert versions[1]["published_by"] == ADMIN
    other = handlers.policy_versions(runtime.uow(), config, "3674")
    assert [v["version"] for v in other] == ["default-2026.1"]  # never another instansi's


def test_history_keeps_the_atasan_of_the_evaluation_when_register_is_silent(deliver, outbox) -> None:
    deliver(evaluation_payload(predikat="sangat_kurang", nip=EMPLOYEE))
    assert outbox("coaching.assigned")[0].payload["coach_nip"] == ATASAN


def test_a_new_atasan_takes_over_open_plans_only(deliver, outbox, runtime) -> None:
    deliver(employee_record(), event_type="employee.registered")
    deliver(evaluation_payload(predikat="kurang", period_year=2025))
    deliver(evaluation_payload(predikat="sangat_kurang", period_year=2026))
    closed = "coaching-eval-198503302010011002-2025-annual"
    principal = Principal(ATASAN, frozenset({"atasan"}), TENANT)
    today = datetime.now(UTC).date()
    handlers.record_check_in(runtime.uow(), principal, closed, held_on=today, progress="on_track", notes="")
    handlers.close_coaching(runtime.uow(), principal, closed, outcome="improved", summary="")
    changed = {**employee_record(atasan=COLLEAGUE), "from_atasan_nip": ATASAN}
    deliver(changed, event_type="employee.atasan_changed")
    deliver(changed, event_type="employee.atasan_changed")  # the same atasan again: nothing new
    [event] = outbox("coaching.coach_changed")
    assert event.payload["coaching_id"] == "coaching-eval-198503302010011002-2026-annual"
    assert (event.payload["coach_nip"], event.payload["previous_coach_nip"]) == (COLLEAGUE, ATASAN)
    by_id = {r["decision_id"]: r for r in rows(runtime, decisions)}
    assert by_id[event.payload["coaching_id"]]["details"]["coach_nip"] == COLLEAGUE
    assert by_id[closed]["details"]["coach_nip"] == ATASAN  # a closed plan keeps its coach
    with pytest.raises(Forbidden):  # the former coach no longer records steps
        handlers.record_check_in(
            runtime.uow(), principal, event.payload["coaching_id"], held_on=today, progress="behind", notes=""
        )


def test_a_revised_earlier_year_redetermines_the_decided_later_year(deliver, outbox, runtime) -> None:
    deliver(evaluation_payload(predikat="kurang", period_year=2025))
    deliver(evaluation_payload(predikat="baik", period_year=2026))
    assert outbox("promotion_eligibility.determined")[-1].payload["eligible"] is False
    deliver(revised_payload(revision=1, previous_predikat="kurang", predikat="baik", period_year=2025))
    later = outbox("promotion_eligibility.determined")[-1].payload
    assert (later["decision_id"], later["period_year"], later["eligible"]) == (REWARD_ID, 2026, True)
    assert later["years"][1] == {"period_year": 2025, "predikat": "baik"}
    by_id = {r["decision_id"]: r for r in rows(runtime, decisions)}
    assert by_id[REWARD_ID]["details"]["promotion_eligible"] is True
    assert by_id[REWARD_ID]["active"] is True  # re-determined, not replaced
    deliver(revised_payload(revision=2, previous_predikat="baik", predikat="sangat_baik", period_year=2025))
    latest = outbox("promotion_eligibility.determined")[-1].payload  # the record of the years considered
    assert (latest["decision_id"], latest["eligible"]) == (REWARD_ID, True)
    assert latest["years"][1]["predikat"] == "sangat_baik"
    before = [e.payload["period_year"] for e in outbox("promotion_eligibility.determined")]
    deliver(evaluation_payload(predikat="sangat_kurang", period_year=2024))  # late: counts for 2025, not 2026
    after = [e.payload for e in outbox("promotion_eligibility.determined")][len(before) :]
    assert [(p["period_year"], p["eligible"]) for p in after] == [(2024, False), (2025, False)]
    assert after[1]["years"] == [
        {"period_year": 2025, "predikat": "sangat_baik"},
        {"period_year": 2024, "predikat": "sangat_kurang"},
    ]
