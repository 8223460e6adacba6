"""Decision rules without I/O: outcome per predikat, promotion eligibility, coaching goals."""

from __future__ import annotations

import pytest

from services.rewards.adapters.policies import DEFAULT_DIR, load_policies
from services.rewards.domain.decisions import Coaching, EvaluationResult, RewardDecision, decide
from services.rewards.domain.rules import GENERIC_GOAL, coaching_goals, format_number, promotion_eligible
from shared.contracts.vocabulary import Predikat
from tests.unit.rewards.rewards_samples import ATASAN, evaluation_payload, iki

POLICY = load_policies(DEFAULT_DIR).default


def result(**kwargs) -> EvaluationResult:
    return EvaluationResult.from_payload(evaluation_payload(**kwargs))


@pytest.mark.parametrize(
    ("predikat", "incentive", "awards"),
    [("sangat_baik", 100, ["sertifikat_penghargaan", "prioritas_pelatihan"]), ("baik", 100, [])],
)
def test_baik_and_above_are_rewarded(predikat: str, incentive: float, awards: list[str]) -> None:
    decision = decide(tenant="1671", evaluation=result(predikat=predikat), policy=POLICY, previous_predikat=None)
    assert isinstance(decision, RewardDecision)
    payload = decision.integration_payload()
    assert payload["decision_id"] == "reward-eval-198503302010011002-2026-annual"
    assert payload["incentive_percentage"] == incentive
    assert payload["awards"] == awards
    assert payload["policy_version"] == "default-2026.1"
    assert payload["promotion_eligible"] is False  # previous year unknown
    assert [e.event_type for e in decision.pending] == ["reward.granted"]


@pytest.mark.parametrize(("predikat", "incentive"), [("butuh_perbaikan", 90), ("kurang", 85), ("sangat_kurang", 80)])
def test_below_baik_gets_coaching_with_the_atasan_as_coach(predikat: str, incentive: float) -> None:
    decision = decide(tenant="1671", evaluation=result(predikat=predikat), policy=POLICY, previous_predikat=None)
    assert isinstance(decision, Coaching)
    assert decision.state == "assigned"
    payload = decision.integration_payload()
    assert payload["coaching_id"] == "coaching-eval-198503302010011002-2026-annual"
    assert payload["coach_nip"] == ATASAN
    assert payload["incentive_percentage"] == incentive
    assert payload["duration_months"] == 6
    assert payload["goals"] == ["Tingkatkan capaian IKI 'Pasien dilayani' (realisasi 800 dari target 1200)."]
    assert payload["policy_version"] == "default-2026.1"


@pytest.mark.parametrize("period", ["Q1", "Q4"])
def test_quarterly_results_have_no_consequence(period: str) -> None:
    evaluation = result(predikat="sangat_kurang", period=period)
    assert decide(tenant="1671", evaluation=evaluation, policy=POLICY, previous_predikat=None) is None


def test_rehydrated_coaching_keeps_its_state() -> None:
    coaching = decide(tenant="1671", evaluation=result(predikat="kurang"), policy=POLICY, previous_predikat=None)
    again = Coaching.rehydrate(coaching.id, coaching.pending)
    assert again.state == "assigned"
    assert again.tenant == "1671"
    assert again.integration_payload() == coaching.integration_payload()


@pytest.mark.parametrize(
    ("current", "previous", "eligible"),
    [
        ("sangat_baik", "baik", True),
        ("baik", "sangat_baik", True),
        ("baik", "baik", True),
        ("baik", None, False),
        ("sangat_baik", "butuh_perbaikan", False),
        ("butuh_perbaikan", "baik", False),
        ("kurang", "sangat_baik", False),
    ],
)
def test_promotion_needs_at_least_baik_in_both_years(current: str, previous: str | None, eligible: bool) -> None:
    assert promotion_eligible(Predikat(current), Predikat(previous) if previous else None) is eligible


def test_reward_records_promotion_eligibility_from_the_previous_year() -> None:
    decision = decide(
        tenant="1671", evaluation=result(predikat="baik"), policy=POLICY, previous_predikat=Predikat.SANGAT_BAIK
    )
    assert decision.integration_payload()["promotion_eligible"] is True
    assert decision.details()["previous_predikat"] == "sangat_baik"


def test_goals_take_the_weakest_first_with_missing_achievement_lowest_and_respect_the_limit() -> None:
    breakdown = [
        iki("A", 95.0, realisasi=95),
        iki("B", 40.0, realisasi=40),
        iki("C", None, realisasi=None),
        iki("D", 0.0, realisasi=0),
        iki("E", 40.0, realisasi=41),
    ]
    goals = coaching_goals(breakdown, 3)
    assert len(goals) == 3
    assert "'C' (belum ada realisasi; target 100)" in goals[0]
    assert "'D' (realisasi 0 dari target 100)" in goals[1]
    assert "'B'" in goals[2]  # ties keep the breakdown's order: B before E
    assert len(coaching_goals(breakdown, 10)) == 5


def test_goal_count_comes_from_the_policy() -> None:
    breakdown = [iki(name, pct) for name, pct in [("A", 10), ("B", 20), ("C", 30), ("D", 40)]]
    coaching = decide(
        tenant="1671", evaluation=result(predikat="kurang", breakdown=breakdown), policy=POLICY, previous_predikat=None
    )
    assert [g.split("'")[1] for g in coaching.integration_payload()["goals"]] == ["A", "B", "C"]


def test_an_empty_breakdown_gives_one_generic_goal() -> None:
    assert coaching_goals([], 3) == [GENERIC_GOAL]


def test_lower_is_better_goal_says_so_and_numbers_read_indonesian() -> None:
    item = {**iki("Waktu tunggu", 50.0, target=30, realisasi=45.5), "direction": "lower_is_better"}
    assert coaching_goals([item], 3) == [
        "Tingkatkan capaian IKI 'Waktu tunggu' (realisasi 45,5 dari target 30; makin rendah makin baik)."
    ]
    assert format_number(1200.0) == "1200"
    assert format_number(1.1) == "1,1"
    assert format_number(2.75) == "2,75"
