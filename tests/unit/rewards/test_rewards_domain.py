"""Decision rules without I/O: every policy rule at its edges, policy selection, budgets, training,
coaching goals and the pembinaan state machine."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from services.rewards.adapters.policies import DEFAULT_DIR, load_catalogue, load_policies
from services.rewards.domain import follow_up
from services.rewards.domain.decisions import (
    Coaching,
    CoachingState,
    DecisionRevoked,
    EvaluationResult,
    IllegalTransition,
    RewardDecision,
    add_months,
    decide,
    decision_id_for,
)
from services.rewards.domain.follow_up import EmployeeRecord
from services.rewards.domain.policy import Policy, policy_in_effect
from services.rewards.domain.rules import (
    GENERIC_GOAL,
    allocate,
    coaching_goals,
    credit_points,
    format_number,
    promotion_years_met,
)
from shared.contracts.vocabulary import Predikat
from shared.errors import DomainError
from tests.unit.rewards.rewards_samples import ATASAN, evaluation_payload, iki, weakness

POLICY = load_policies(DEFAULT_DIR).default
CATALOGUE = load_catalogue()
TODAY = date(2027, 1, 15)
COLLEAGUE_ATASAN = "196501012000031002"


def result(**kwargs) -> EvaluationResult:
    return EvaluationResult.from_payload(evaluation_payload(**kwargs))


def employee(kind: str = "pelaksana", grade: str | None = None, atasan: str | None = ATASAN) -> EmployeeRecord:
    return EmployeeRecord("198503302010011002", "Siti", "u1", "Puskesmas", kind, grade, atasan, "Budi")


def take(
    predikat: str = "baik",
    *,
    history: dict[int, str] | None = None,
    policy: Policy = POLICY,
    person: EmployeeRecord | None = None,
    aspects: dict[str, str] | None = None,
    **kwargs,
) -> RewardDecision | Coaching:
    evaluation = result(predikat=predikat, **kwargs)
    consequences = follow_up.compute(
        evaluation=evaluation,
        policy=policy,
        employee=person,
        annual_predikat=lambda year: Predikat(history[year]) if history and year in history else None,
        catalogue=CATALOGUE,
        iki_aspects=aspects or {},
    )
    return decide(
        decision_id_of=lambda kind: decision_id_for(kind, evaluation.evaluation_id),
        tenant="1671",
        evaluation=evaluation,
        policy=policy,
        consequences=consequences,
        today=TODAY,
    )


# --- incentive, awards -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("predikat", "incentive", "kind"),
    [
        ("sangat_baik", 100, "reward"),
        ("baik", 100, "reward"),
        ("butuh_perbaikan", 90, "coaching"),
        ("kurang", 85, "coaching"),
        ("sangat_kurang", 80, "coaching"),
    ],
)
def test_incentive_percentage_and_amount_per_predikat(predikat: str, incentive: float, kind: str) -> None:
    decision = take(predikat, person=employee("pengawas"))
    assert decision.kind == kind
    payload = decision.incentive_payload(None, "no_budget")
    assert payload["incentive_percentage"] == incentive
    assert payload["base_amount"] == 42_000_000
    assert payload["gross_amount"] == 42_000_000 * incentive / 100
    assert payload["policy_version"] == "default-2026.1"


def test_without_an_employee_record_the_default_base_amount_applies() -> None:
    assert take("kurang").incentive_payload(None, "no_budget")["base_amount"] == 24_000_000


def test_a_policy_without_amounts_gives_percentages_only() -> None:
    policy = dataclasses.replace(POLICY, incentive_base_amount={})
    payload = take("baik", policy=policy).incentive_payload(None, "no_amount")
    assert (payload["base_amount"], payload["gross_amount"]) == (None, None)


def test_awards_only_for_sangat_baik() -> None:
    assert take("sangat_baik").integration_payload()["awards"] == [
        "sertifikat_penghargaan",
        "prioritas_pelatihan",
        "rekomendasi_kenaikan_pangkat",
    ]
    assert take("baik").integration_payload()["awards"] == []


@pytest.mark.parametrize("period", ["Q1", "Q4"])
def test_quarterly_results_have_no_consequence(period: str) -> None:
    assert take("sangat_kurang", period=period) is None


# --- credit points -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("predikat", "points"),
    [("sangat_baik", 37.5), ("baik", 25.0), ("butuh_perbaikan", 18.75), ("kurang", 12.5), ("sangat_kurang", 6.25)],
)
def test_credit_points_are_the_predikat_share_of_the_jenjang_coefficient(predikat: str, points: float) -> None:
    payload = take(predikat, person=employee("fungsional", "ahli_muda")).credit_points_payload()
    assert payload["jenjang"] == "ahli_muda"
    assert payload["annual_coefficient"] == 25
    assert payload["credit_points"] == points


@pytest.mark.parametrize(
    ("grade", "points"),
    [
        ("ahli_pertama", 12.5),
        ("ahli_madya", 37.5),
        ("ahli_utama", 50),
        ("terampil", 5),
        ("mahir", 12.5),
        ("penyelia", 25),
    ],
)
def test_every_jenjang_has_its_coefficient(grade: str, points: float) -> None:
    assert take("baik", person=employee("fungsional", grade)).credit_points_payload()["credit_points"] == points


@pytest.mark.parametrize(
    "person",
    [None, employee("pelaksana", "ahli_muda"), employee("fungsional", None), employee("fungsional", "ahli_galaksi")],
    ids=["unknown employee", "not functional", "no jenjang", "jenjang not in policy"],
)
def test_no_credit_points_without_a_known_functional_jenjang(person) -> None:
    assert take("baik", person=person).credit_points_payload() is None


def test_credit_points_round_to_three_decimals() -> None:
    assert credit_points(3.75, 75) == 2.812


# --- promotion ------------------------------------------------------------------------------


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
    decision = take(current, history={2025: previous} if previous else None)
    payload = decision.promotion_payload()
    assert payload["eligible"] is eligible
    assert payload["years"] == [{"period_year": 2026, "predikat": current}, {"period_year": 2025, "predikat": previous}]
    assert payload["minimum_predikat"] == "baik"


def test_promotion_rule_follows_the_policy() -> None:
    strict = dataclasses.replace(POLICY, promotion_minimum=Predikat.SANGAT_BAIK, promotion_years=3)
    assert not take("sangat_baik", history={2025: "sangat_baik", 2024: "baik"}, policy=strict).promotion_payload()[
        "eligible"
    ]
    assert take("sangat_baik", history={2025: "sangat_baik", 2024: "sangat_baik"}, policy=strict).promotion_payload()[
        "eligible"
    ]
    assert promotion_years_met([], Predikat.BAIK) is False


# --- policy selection -------------------------------------------------------------------------


def version(name: str, effective: str, tenant: str | None = "1671") -> Policy:
    return dataclasses.replace(POLICY, version=name, effective_from=date.fromisoformat(effective), tenant=tenant)


def test_the_version_in_force_on_1_january_after_the_period_decides() -> None:
    versions = [POLICY, version("p-2027", "2027-01-01"), version("p-2027b", "2027-01-02")]
    assert policy_in_effect(versions, 2026).version == "p-2027"  # in force exactly that day
    assert policy_in_effect(versions, 2025).version == "default-2026.1"
    assert policy_in_effect(versions, 2027).version == "p-2027b"


def test_on_a_tie_the_instansi_beats_the_default_and_the_later_publication_wins() -> None:
    default = version("d", "2026-01-01", tenant=None)
    own = version("own", "2026-01-01")
    later = version("own-2", "2026-01-01")
    assert policy_in_effect([default, own], 2026).version == "own"
    assert policy_in_effect([default, own, later], 2026).version == "own-2"


def test_before_the_first_version_the_earliest_applies() -> None:
    assert policy_in_effect([POLICY, version("x", "2030-01-01")], 2020).version == "default-2026.1"
    with pytest.raises(ValueError, match="no policy versions"):
        policy_in_effect([], 2026)


# --- budgets ----------------------------------------------------------------------------------


def test_without_a_budget_or_within_it_everything_is_paid() -> None:
    assert [a.status for a in allocate([10.0, None], None, "pro_rata")] == ["no_budget", "no_amount"]
    exact = allocate([60.0, 40.0], 100.0, "waitlist")  # the edge: total == budget
    assert [(a.payable, a.status) for a in exact] == [(60.0, "within_budget"), (40.0, "within_budget")]


def test_pro_rata_scales_every_claim_and_never_exceeds_the_budget() -> None:
    allocations = allocate([100.0, 200.0, 33.0], 100.0, "pro_rata")
    assert [a.status for a in allocations] == ["pro_rata"] * 3
    assert [a.payable for a in allocations] == [30, 60, 9]  # floor(x * 100/333)
    assert sum(a.payable for a in allocations) <= 100


def test_waitlist_serves_in_decision_order_without_queue_jumping() -> None:
    allocations = allocate([60.0, 50.0, 10.0, None], 100.0, "waitlist")
    assert [(a.payable, a.status) for a in allocations] == [
        (60.0, "within_budget"),
        (0.0, "waitlisted"),
        (0.0, "waitlisted"),  # it would fit, but it does not jump the queue
        (None, "no_amount"),
    ]


# --- coaching goals and training ----------------------------------------------------------------


def test_goals_come_from_the_weakest_indicators_and_behaviours_first() -> None:
    weaknesses = [
        weakness("iki", "iki-Pasien dilayani", "Pasien dilayani", -33.3),
        weakness("perilaku", "kolaboratif", "Kolaboratif", -50.0),
        weakness("iki", "iki-lain", "Laporan bulanan", -10.0),
        weakness("perilaku", "adaptif", "Adaptif", -5.0),
    ]
    goals = take("kurang", weaknesses=weaknesses).integration_payload()["goals"]
    assert goals == [
        "Tunjukkan perilaku kerja 'Kolaboratif' sesuai ekspektasi pimpinan.",
        "Tingkatkan capaian IKI 'Pasien dilayani' (realisasi 800 dari target 1200).",
        "Tingkatkan capaian IKI 'Laporan bulanan' hingga memenuhi target.",
    ]


def test_without_weaknesses_the_weakest_iki_of_the_breakdown_are_the_goals() -> None:
    breakdown = [iki("A", 95.0, realisasi=95), iki("B", 40.0, realisasi=40), iki("C", None, realisasi=None)]
    goals = coaching_goals(breakdown, 2)
    assert "'C' (belum ada realisasi; target 100)" in goals[0]
    assert "'B'" in goals[1]
    assert coaching_goals([], 3) == [GENERIC_GOAL]


def test_lower_is_better_goal_says_so_and_numbers_read_indonesian() -> None:
    item = {**iki("Waktu tunggu", 50.0, target=30, realisasi=45.5), "direction": "lower_is_better"}
    assert coaching_goals([item], 3) == [
        "Tingkatkan capaian IKI 'Waktu tunggu' (realisasi 45,5 dari target 30; makin rendah makin baik)."
    ]
    assert (format_number(1200.0), format_number(1.1), format_number(2.75)) == ("1200", "1,1", "2,75")


def test_training_matches_behaviours_by_value_and_indicators_by_their_aspect() -> None:
    weaknesses = [
        weakness("iki", "iki-1", "Waktu layanan", -40.0),
        weakness("perilaku", "berorientasi_pelayanan", "Berorientasi Pelayanan", -20.0),
        weakness("iki", "iki-unplanned", "Tanpa aspek", -60.0),
    ]
    payload = take("butuh_perbaikan", weaknesses=weaknesses, aspects={"iki-1": "waktu"}).training_payload()
    assert payload["reason"] == "pembinaan"
    assert payload["priority"] is False
    assert payload["catalogue_version"] == "katalog-2026.1"
    assert [(c["course_id"], c["matched_ref"]) for c in payload["courses"]] == [
        ("KINERJA-WAK-01", "iki-1"),
        ("BERAKHLAK-PEL-01", "berorientasi_pelayanan"),
    ]


def test_training_without_a_match_offers_the_general_courses() -> None:
    payload = take("kurang").training_payload()
    assert [c["course_id"] for c in payload["courses"]] == ["PIM-UMUM-01", "DIGITAL-UMUM-01"]
    assert payload["courses"][0]["matched_kind"] is None


def test_sangat_baik_gets_priority_training_and_baik_none() -> None:
    payload = take("sangat_baik").training_payload()
    assert (payload["reason"], payload["priority"]) == ("penghargaan", True)
    assert payload["courses"]
    assert take("baik").training_payload() is None


# --- the pembinaan state machine --------------------------------------------------------------------


def coaching(**kwargs) -> Coaching:
    decision = take("kurang", **kwargs)
    assert isinstance(decision, Coaching)
    return decision


def test_coaching_starts_assigned_with_the_atasan_as_coach_for_up_to_six_months() -> None:
    plan = coaching()
    assert plan.state == CoachingState.ASSIGNED
    payload = plan.integration_payload()
    assert payload["coach_nip"] == ATASAN
    assert payload["duration_months"] == 6
    assert payload["ends_on"] == "2027-07-15"


def test_the_coach_comes_from_the_employee_register_when_known() -> None:
    plan = coaching(person=employee(atasan=COLLEAGUE_ATASAN))
    assert plan.integration_payload()["coach_nip"] == COLLEAGUE_ATASAN
    assert coaching(person=employee(atasan=None)).integration_payload()["coach_nip"] == ATASAN


def test_the_improved_path() -> None:
    plan = coaching()
    plan.record_check_in(held_on=date(2027, 2, 1), progress="behind", notes="", recorded_by=ATASAN)
    assert plan.state == CoachingState.IN_PROGRESS
    plan.record_check_in(held_on=date(2027, 4, 1), progress="on_track", notes="", recorded_by=ATASAN)
    assert plan.check_in_payload()["check_in_number"] == 2
    plan.close(outcome="improved", summary="Target tercapai", closed_by=ATASAN)
    assert plan.state == CoachingState.CLOSED
    assert plan.closed_payload()["next_step"] == "none"
    assert plan.closed_payload()["check_ins"] == 2
    again = Coaching.rehydrate(plan.id, plan.pending)
    assert (again.state, again.details()["outcome"]["outcome"]) == (CoachingState.CLOSED, "improved")


@pytest.mark.parametrize(("result_", "reassigned_to"), [("not_competent", "Staf Kecamatan"), ("competent", None)])
def test_the_not_improved_path_goes_through_a_competency_test(result_: str, reassigned_to: str | None) -> None:
    plan = coaching()
    plan.record_check_in(held_on=date(2027, 2, 1), progress="at_risk", notes="", recorded_by=ATASAN)
    plan.close(outcome="not_improved", summary="", closed_by=ATASAN)
    assert plan.state == CoachingState.COMPETENCY_TEST
    assert plan.closed_payload()["next_step"] == "competency_test"
    plan.record_competency_test(result=result_, reassigned_to=reassigned_to, notes="", recorded_by="x")
    assert plan.state == CoachingState.CLOSED
    assert plan.competency_tested_payload()["reassigned_to"] == reassigned_to


def in_state(state: str) -> Coaching:
    plan = coaching()
    if state == "assigned":
        return plan
    plan.record_check_in(held_on=date(2027, 2, 1), progress="behind", notes="", recorded_by=ATASAN)
    if state == "in_progress":
        return plan
    if state == "revoked":
        plan.revoke(reason="evaluation_revised", reason_text="", replaced_by=None)
        return plan
    plan.close(outcome="improved" if state == "closed" else "not_improved", summary="", closed_by=ATASAN)
    return plan


CHECK_IN = (
    "check_in",
    lambda p: p.record_check_in(held_on=date(2027, 3, 1), progress="on_track", notes="", recorded_by=ATASAN),
)
CLOSE = ("close", lambda p: p.close(outcome="improved", summary="", closed_by=ATASAN))
TEST = ("test", lambda p: p.record_competency_test(result="competent", reassigned_to=None, notes="", recorded_by="x"))


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("assigned", CLOSE),
        ("assigned", TEST),
        ("in_progress", TEST),
        ("competency_test", CHECK_IN),
        ("competency_test", CLOSE),
        ("closed", CHECK_IN),
        ("closed", CLOSE),
        ("closed", TEST),
        ("revoked", CHECK_IN),
        ("revoked", CLOSE),
    ],
    ids=lambda v: v if isinstance(v, str) else v[0],
)
def test_illegal_transitions_are_refused_and_record_nothing(state: str, action) -> None:
    plan = in_state(state)
    before = plan.version
    with pytest.raises(IllegalTransition) as excinfo:
        action[1](plan)
    assert excinfo.value.status == 409
    assert excinfo.value.state == state
    assert plan.version == before


def test_not_competent_needs_the_new_position_and_a_check_in_cannot_predate_the_plan() -> None:
    plan = in_state("competency_test")
    with pytest.raises(DomainError, match="name the position"):
        plan.record_competency_test(result="not_competent", reassigned_to=None, notes="", recorded_by="x")
    fresh = coaching()
    with pytest.raises(DomainError, match="before the improvement plan started"):
        fresh.record_check_in(held_on=date(2027, 1, 14), progress="behind", notes="", recorded_by=ATASAN)


def test_a_decision_is_revoked_once() -> None:
    decision = take("baik")
    decision.revoke(reason="evaluation_revised", reason_text="banding", replaced_by="reward-x-2")
    assert decision.revoked_payload()["replaced_by"] == "reward-x-2"
    assert decision.details()["state"] == "revoked"
    with pytest.raises(DecisionRevoked):
        decision.revoke(reason="policy_rerun", reason_text="", replaced_by=None)
    plan = in_state("revoked")
    with pytest.raises(DecisionRevoked):
        plan.revoke(reason="policy_rerun", reason_text="", replaced_by=None)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2027, 1, 15), 6, date(2027, 7, 15)),
        (date(2027, 12, 1), 1, date(2028, 1, 1)),
    ],
)
def test_plan_end_date_stays_within_the_month(start: date, months: int, end: date) -> None:
    assert add_months(start, months) == end


def test_a_decision_keeps_a_copy_of_its_consequences_as_the_event_store_gives_them_back() -> None:
    evaluation = result(predikat="butuh_perbaikan", weaknesses=[weakness("perilaku", "akuntabel", "Akuntabel", -50.0)])
    consequences = follow_up.compute(
        evaluation=evaluation,
        policy=POLICY,
        employee=employee("fungsional", "ahli_pertama"),
        annual_predikat=lambda year: Predikat.BAIK,
        catalogue=CATALOGUE,
        iki_aspects={},
    )
    facts = consequences.as_facts()
    assert facts == dataclasses.asdict(consequences)
    assert facts["training"]["courses"]  # nested values are in it
    facts["training"]["courses"].clear()
    facts["promotion_years"][0]["predikat"] = "sangat_kurang"
    assert consequences.training is not None
    assert consequences.training["courses"]  # a copy, not shared
    assert consequences.promotion_years[0]["predikat"] != "sangat_kurang"
