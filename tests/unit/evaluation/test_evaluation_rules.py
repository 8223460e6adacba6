"""Rules at their edges: IKM grades, complaint response time, achievement caps, the curve for every
organisation predikat, calibration, the appeal window, unit heads, strengths and weaknesses, bias."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from services.evaluation.domain.assessment import authorize_assessor
from services.evaluation.domain.bias import Rated, rater_bias
from services.evaluation.domain.curve import CurveConfigError, load_curve, parse_curve, validate_distribution
from services.evaluation.domain.evaluation import Evaluation
from services.evaluation.domain.public_input import (
    IKM_ELEMENTS,
    IkmTally,
    ikm_grade,
    responded_in_time,
    summarise_complaints,
)
from services.evaluation.domain.scoring import achievement_pct, evaluate, findings
from shared.errors import DomainError, Forbidden
from tests.unit.evaluation.evaluation_samples import ATASAN, BERAKHLAK, EMPLOYEE, plan_payload

T0 = datetime(2027, 1, 5, 8, 0, tzinfo=UTC)
DI_ATAS, SESUAI, DI_BAWAH = "di_atas_ekspektasi", "sesuai_ekspektasi", "di_bawah_ekspektasi"

# --- IKM (PermenPANRB 14/2017) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ikm", "grade"),
    [
        (100, "A"),
        (88.31, "A"),
        (88.30, "B"),
        (88.305, "A"),
        (76.61, "B"),
        (76.60, "C"),
        (65.0, "C"),
        (64.99, "D"),
        (25, "D"),
    ],
)
def test_ikm_grade_edges(ikm, grade):
    assert ikm_grade(ikm) == grade


def test_ikm_is_the_equally_weighted_mean_times_25():
    all_fours = IkmTally.of([dict.fromkeys(IKM_ELEMENTS, 4)] * 3)
    assert all_fours.ikm() == 100.0
    assert IkmTally.of([dict.fromkeys(IKM_ELEMENTS, 1)]).ikm() == 25.0
    mixed = {e: (4 if i < 4 else 3) for i, e in enumerate(IKM_ELEMENTS)}  # 4 elements at 4, 5 at 3
    assert IkmTally.of([mixed]).ikm() == round((4 * 4 + 5 * 3) / 9 * 25, 2) == 86.11


def test_ikm_batches_add_up_like_one_survey():
    a = [dict.fromkeys(IKM_ELEMENTS, 4)] * 2
    b = [dict.fromkeys(IKM_ELEMENTS, 2)]
    assert IkmTally.combine([IkmTally.of(a), IkmTally.of(b)]).ikm() == IkmTally.of(a + b).ikm() == 83.33
    assert IkmTally.combine([]).ikm() is None


def test_first_response_within_three_days_is_in_time():
    assert responded_in_time(T0, T0 + timedelta(days=3), T0) is True
    assert responded_in_time(T0, T0 + timedelta(days=3, seconds=1), T0) is False
    assert responded_in_time(T0, None, T0 + timedelta(days=3)) is None  # still within the window
    assert responded_in_time(T0, None, T0 + timedelta(days=3, seconds=1)) is False
    summary = summarise_complaints(
        [
            {"received_at": T0, "first_response_at": T0 + timedelta(days=1), "resolved_at": T0 + timedelta(days=2)},
            {"received_at": T0, "first_response_at": T0 + timedelta(days=5), "resolved_at": None},
            {"received_at": T0, "first_response_at": None, "resolved_at": None},
        ],
        now=T0 + timedelta(days=1),
    )
    assert (summary.received, summary.responded_in_time, summary.responded_late) == (3, 1, 1)
    assert (summary.awaiting_response, summary.resolved, summary.in_time_share) == (1, 1, 0.5)


# --- achievement edges ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "realisasi", "direction", "expected"),
    [
        (100, 250, "higher_is_better", 200.0),  # over-achievement capped
        (100, 200, "higher_is_better", 200.0),
        (100, 199, "higher_is_better", 199.0),
        (100, -5, "higher_is_better", 0.0),  # a negative realisasi counts as zero
        (30, -5, "lower_is_better", 200.0),
        (0, 0, "higher_is_better", 100.0),
        (0, 3, "lower_is_better", 0.0),
    ],
)
def test_achievement_edges(target, realisasi, direction, expected):
    assert achievement_pct(target, realisasi, direction) == expected


def test_achievement_cap_is_configuration():
    assert achievement_pct(100, 400, "higher_is_better", cap=300) == 300.0


# --- unit heads -----------------------------------------------------------------------------------


def _unit_head_plan() -> dict:
    plan = plan_payload(results_follow_unit=True)
    plan["rhk"][1]["iki"][0]["unit_target_id"] = "ut-waktu-tunggu"  # the tambahan IKI is the unit's target
    return plan


def test_unit_head_results_follow_the_units_achievement():
    plan = _unit_head_plan()
    ids = [iki["iki_id"] for item in plan["rhk"] for iki in item["iki"]]
    # Own IKI far above target, the unit's target missed.
    realisasi = {ids[0]: {4: 2000}, ids[1]: {4: 10}, ids[2]: {4: 5}}
    behaviour = dict.fromkeys(BERAKHLAK, SESUAI)
    own = evaluate(rhk=plan["rhk"], realisasi=realisasi, behaviour=behaviour, period="annual", period_year=2026)
    follows = evaluate(
        rhk=plan["rhk"],
        realisasi=realisasi,
        behaviour=behaviour,
        period="annual",
        period_year=2026,
        results_follow_unit=True,
    )
    assert own.rating_hasil_kerja.value == DI_ATAS
    assert follows.rating_hasil_kerja.value == DI_BAWAH
    assert any("mengikuti capaian unit" in s for s in follows.explanation)


def test_unit_head_without_unit_targets_is_rated_on_all_iki_and_told_so():
    plan = plan_payload(results_follow_unit=True)
    ids = [iki["iki_id"] for item in plan["rhk"] for iki in item["iki"]]
    realisasi = {ids[0]: {4: 2000}, ids[1]: {4: 10}, ids[2]: {4: 50}}
    result = evaluate(
        rhk=plan["rhk"],
        realisasi=realisasi,
        behaviour=dict.fromkeys(BERAKHLAK, SESUAI),
        period="annual",
        period_year=2026,
        results_follow_unit=True,
    )
    assert result.rating_hasil_kerja.value == DI_ATAS
    assert any("tidak ada IKI bertarget unit" in s for s in result.explanation)


# --- strengths and weaknesses ---------------------------------------------------------------------


def test_findings_are_furthest_above_and_below_expectation():
    breakdown = [
        {"iki_id": "a", "indicator": "A", "achievement_pct": 150.0},
        {"iki_id": "b", "indicator": "B", "achievement_pct": 100.0},
        {"iki_id": "c", "indicator": "C", "achievement_pct": None},
        {"iki_id": "d", "indicator": "D", "achievement_pct": 80.0},
    ]
    behaviour = {**dict.fromkeys(BERAKHLAK, SESUAI), "loyal": DI_ATAS, "adaptif": DI_BAWAH, "harmonis": DI_BAWAH}
    others = [{"adaptif": DI_BAWAH, "harmonis": DI_ATAS}]
    strengths, weaknesses = findings(breakdown, behaviour, others)
    assert [(f["kind"], f["ref"], f["gap"]) for f in strengths] == [("perilaku", "loyal", 1.0), ("iki", "a", 0.5)]
    # adaptif (−1.25: others agree) before harmonis (−0.75), before the missing IKI (−1 ranks between)
    assert [f["ref"] for f in weaknesses] == ["adaptif", "c", "harmonis"]
    assert all(f["gap"] < 0 for f in weaknesses)
    assert len(weaknesses) == 3


# --- curve ------------------------------------------------------------------------------------------

CURVE = load_curve()


@pytest.mark.parametrize(
    ("org", "good", "bad"),
    [
        ("istimewa", ["sangat_baik"] * 3 + ["baik"] * 7, ["sangat_baik"] * 4 + ["baik"] * 6),
        ("baik", ["sangat_baik"] + ["baik"] * 7 + ["butuh_perbaikan"] * 2, ["sangat_baik"] + ["baik"] * 9),
        ("butuh_perbaikan", ["baik"] * 6 + ["kurang"] * 4, ["baik"] * 7 + ["kurang"] * 3),
        ("kurang", ["baik"] * 5 + ["butuh_perbaikan"] * 5, ["sangat_baik"] + ["baik"] * 4 + ["kurang"] * 5),
        ("sangat_kurang", ["baik"] * 4 + ["sangat_kurang"] * 6, ["sangat_baik"] + ["baik"] * 3 + ["kurang"] * 6),
    ],
)
def test_curve_for_each_organisation_predikat(org, good, bad):
    assert validate_distribution(CURVE, org, good)["valid"] is True
    refused = validate_distribution(CURVE, org, bad)
    assert refused["valid"] is False
    assert any(not check["ok"] for check in refused["checks"])
    assert refused["employees"] == 10
    assert sum(refused["counts"].values()) == 10


def test_curve_bounds_round_to_whole_people():
    # Baik curve on 3 people: Sangat Baik floor(0.1×3) = 0 allowed, at least ceil(0.1×3) = 1 below Baik.
    result = validate_distribution(CURVE, "baik", ["baik", "baik", "butuh_perbaikan"])
    assert result["valid"] is True
    assert [c["allowed_count"] for c in result["checks"]] == [0, 2, 1]


def test_curve_config_is_validated(tmp_path):
    document = json.loads(json.dumps({"curves": {k: [] for k in CURVE.rules}}))
    assert parse_curve(document).rules["baik"] == ()
    with pytest.raises(CurveConfigError):
        parse_curve({"curves": {"baik": []}})
    document["curves"]["baik"] = [{"predikat": ["baik"], "max_share": 1.5}]
    with pytest.raises(CurveConfigError):
        parse_curve(document)
    document["curves"]["baik"] = [{"predikat": ["luar_biasa"], "max_share": 0.5}]
    with pytest.raises(CurveConfigError):
        parse_curve(document)
    path = tmp_path / "curve.json"
    path.write_text(json.dumps({"curves": {k: [] for k in CURVE.rules}}))
    assert load_curve(path).rules["istimewa"] == ()


# --- calibration and the appeal window --------------------------------------------------------------


def _evaluation(now: datetime = T0) -> Evaluation:
    plan = plan_payload()
    ids = [iki["iki_id"] for item in plan["rhk"] for iki in item["iki"]]
    return Evaluation.complete(
        tenant="1671",
        plan=plan,
        period="annual",
        assessment_id="asm-1",
        behaviour=dict.fromkeys(BERAKHLAK, DI_ATAS),
        realisasi={ids[0]: {4: 1500}, ids[1]: {4: 20}, ids[2]: {4: 20}},
        evaluated_by=ATASAN,
        now=now,
    )


def test_matrix_result_before_any_override():
    evaluation = _evaluation()
    assert evaluation.state["predikat"] == evaluation.state["matrix_predikat"] == "sangat_baik"
    assert evaluation.state["revision"] == 0


def test_calibration_needs_the_appraiser_a_reason_and_a_change():
    evaluation = _evaluation()
    with pytest.raises(Forbidden):
        evaluation.calibrate(by=EMPLOYEE, predikat="baik", reason="Kurva unit.", now=T0)
    with pytest.raises(DomainError, match="written reason"):
        evaluation.calibrate(by=ATASAN, predikat="baik", reason="   ", now=T0)
    with pytest.raises(DomainError, match="already"):
        evaluation.calibrate(by=ATASAN, predikat="sangat_baik", reason="Sama saja.", now=T0)
    evaluation.calibrate(by=ATASAN, predikat="baik", reason="Kurva unit Baik membatasi Sangat Baik.", now=T0)
    assert evaluation.state["predikat"] == "baik"
    assert evaluation.state["matrix_predikat"] == "sangat_baik"
    assert evaluation.state["revision"] == 1
    assert evaluation.revised_payload()["previous_predikat"] == "sangat_baik"
    assert "kalibrasi" in evaluation.state["explanation"][-2]
    assert "Kurva unit" in evaluation.state["explanation"][-2]
    # back to the matrix: the override is gone, and that is a revision too
    evaluation.calibrate(by=ATASAN, predikat="sangat_baik", reason="Kembali ke hasil matriks.", now=T0)
    assert evaluation.state["override"] is None
    assert evaluation.state["revision"] == 2


def test_appeal_window_is_fourteen_days_from_the_result():
    on_time = _evaluation()
    on_time.file_appeal(by=EMPLOYEE, reason="Belum dihitung.", decider_nip="1" * 18, now=T0 + timedelta(days=14))
    assert on_time.state["appeal"]["status"] == "filed"
    late = _evaluation()
    with pytest.raises(DomainError, match="window") as refused:
        late.file_appeal(
            by=EMPLOYEE, reason="Belum dihitung.", decider_nip="1" * 18, now=T0 + timedelta(days=14, seconds=1)
        )
    assert refused.value.code == "appeal_window_closed"
    assert "14 hari" in refused.value.message_id


def test_appeal_rules_who_once_and_final():
    evaluation = _evaluation()
    decider = "196501011990031001"
    with pytest.raises(Forbidden):
        evaluation.file_appeal(by=ATASAN, reason="x", decider_nip=decider, now=T0)
    with pytest.raises(DomainError, match="not known"):
        evaluation.file_appeal(by=EMPLOYEE, reason="x", decider_nip=None, now=T0)
    evaluation.file_appeal(by=EMPLOYEE, reason="Tidak adil.", decider_nip=decider, now=T0)
    with pytest.raises(DomainError, match="already"):
        evaluation.file_appeal(by=EMPLOYEE, reason="Lagi.", decider_nip=decider, now=T0)
    with pytest.raises(DomainError, match="keberatan is filed"):
        evaluation.calibrate(by=ATASAN, predikat="baik", reason="Sesudah keberatan.", now=T0)
    with pytest.raises(Forbidden):
        evaluation.decide_appeal(by=ATASAN, decision="accepted", predikat="baik", reason="r", now=T0)
    with pytest.raises(DomainError, match="must set"):
        evaluation.decide_appeal(by=decider, decision="accepted", predikat=None, reason="r", now=T0)
    assert evaluation.decide_appeal(by=decider, decision="accepted", predikat="baik", reason="Bukti sah.", now=T0)
    assert evaluation.state["predikat"] == "baik"
    assert evaluation.state["override"]["kind"] == "keberatan"
    with pytest.raises(DomainError, match="final"):
        evaluation.decide_appeal(by=decider, decision="rejected", predikat=None, reason="r", now=T0)


def test_a_rejected_appeal_keeps_the_result_without_a_revision():
    evaluation = _evaluation()
    evaluation.file_appeal(by=EMPLOYEE, reason="Tidak adil.", decider_nip="1" * 18, now=T0)
    assert not evaluation.decide_appeal(by="1" * 18, decision="rejected", predikat=None, reason="Sudah sesuai.", now=T0)
    assert evaluation.state["revision"] == 0
    assert evaluation.state["appeal"]["status"] == "rejected"


def test_recompute_is_idempotent_and_keeps_an_override():
    evaluation = _evaluation()
    plan = plan_payload()
    ids = [iki["iki_id"] for item in plan["rhk"] for iki in item["iki"]]
    same = {
        "behaviour": dict.fromkeys(BERAKHLAK, DI_ATAS),
        "realisasi": {ids[0]: {4: 1500}, ids[1]: {4: 20}, ids[2]: {4: 20}},
    }
    from services.evaluation.domain.scoring import DEFAULT_CONFIG

    assert evaluation.recompute(plan, same, reason="x", now=T0, config=DEFAULT_CONFIG) is False
    evaluation.calibrate(by=ATASAN, predikat="baik", reason="Kurva unit membatasi.", now=T0)
    worse = {**same, "realisasi": {ids[0]: {4: 100}, ids[1]: {4: 20}, ids[2]: {4: 20}}}
    assert evaluation.recompute(plan, worse, reason="Realisasi dikoreksi.", now=T0, config=DEFAULT_CONFIG) is True
    assert evaluation.state["matrix_predikat"] != "sangat_baik"
    assert evaluation.state["predikat"] == "baik"  # the appraiser's calibrated predikat stays final
    assert evaluation.state["revision"] == 2


# --- rater bias -------------------------------------------------------------------------------------


def _generated(appraiser: str, n: int, rating: str, *, evidence: float, peer: float | None, public=None) -> list:
    return [
        Rated(
            appraiser=appraiser,
            nip=f"{appraiser[:10]}{i:08d}",
            ratings=[rating] * 7,
            predikat="baik",
            evidence_level=evidence,
            peer_level=peer,
            public_level=public,
        )
        for i in range(n)
    ]


def test_bias_flags_a_known_lenient_a_known_severe_and_a_central_rater():
    fair = []
    for i in range(6):  # a fair appraiser: varied ratings that match the evidence
        rating = (DI_ATAS, SESUAI, DI_BAWAH)[i % 3]
        level = {DI_ATAS: 1.0, SESUAI: 0.0, DI_BAWAH: -1.0}[rating]
        fair += [Rated("fair", f"f{i}", [rating] * 7, "baik", evidence_level=level, peer_level=level)]
    lenient = _generated("lenient", 6, DI_ATAS, evidence=-1.0, peer=0.0)
    severe = _generated("severe", 6, DI_BAWAH, evidence=1.0, peer=0.5, public=1.0)
    central = _generated("central", 6, SESUAI, evidence=0.0, peer=0.0)
    small = _generated("small", 2, DI_ATAS, evidence=-1.0, peer=-1.0)
    report = rater_bias(fair + lenient + severe + central + small)
    flags = {a["appraiser_nip"]: a["flags"] for a in report["appraisers"]}
    assert flags["fair"] == []
    assert flags["lenient"] == ["leniency"]
    assert flags["severe"] == ["severity"]
    assert flags["central"] == ["central_tendency"]
    assert flags["small"] == []  # too few rated to flag
    lenient_row = next(a for a in report["appraisers"] if a["appraiser_nip"] == "lenient")
    assert lenient_row["against"]["evidence"] == 2.0
    assert lenient_row["rating_distribution"][DI_ATAS] == 1.0
    assert report["organisation"]["employees"] == 26


# --- several worker copies ---------------------------------------------------------------------------


def test_a_concurrent_revision_is_retried_by_the_consumer_not_dead_lettered():
    from services.evaluation.service_layer.evaluating import EvaluationChangedConcurrently, retry_on_conflict
    from shared.errors import ConcurrencyConflict

    @retry_on_conflict
    def handler(_uow, _envelope):
        raise ConcurrencyConflict("eval-x", 1)

    with pytest.raises(EvaluationChangedConcurrently) as raised:
        handler(None, None)
    assert not isinstance(raised.value, DomainError)  # the consumer dead-letters DomainErrors at once


# --- who may assess whom --------------------------------------------------------------------------


def _person(nip: str, unit_id: str, atasan_nip: str | None, active: bool = True) -> dict:
    return {"nip": nip, "unit_id": unit_id, "atasan_nip": atasan_nip, "active": active}


@pytest.mark.parametrize(
    ("source", "assessor", "allowed"),
    [
        ("rekan_kerja", _person("P1", "PKM", ATASAN), True),  # same unit, same atasan
        ("rekan_kerja", _person("P2", "LAB", ATASAN), True),  # same atasan, another unit
        ("rekan_kerja", _person("P3", "PKM", "X"), True),  # same unit, another atasan
        ("rekan_kerja", _person("P4", "LAB", "X"), False),  # unrelated
        ("rekan_kerja", _person("P1", "PKM", ATASAN, active=False), False),  # deactivated
        ("rekan_kerja", _person(ATASAN, "PKM", "KADIS"), False),  # the atasan: gives the atasan assessment
        ("rekan_kerja", _person("S1", "PKM", EMPLOYEE), False),  # a subordinate: gives the bawahan one
        ("rekan_kerja", None, False),  # not in the register
        ("bawahan", _person("S1", "PKM", EMPLOYEE), True),
        ("bawahan", _person("S1", "PKM", EMPLOYEE, active=False), False),
        ("bawahan", _person("P1", "PKM", ATASAN), False),
        ("bawahan", None, False),
    ],
)
def test_peers_and_subordinates_are_who_the_register_says(source, assessor, allowed) -> None:
    def check() -> None:
        authorize_assessor(
            source,
            assessor_nip=assessor["nip"] if assessor else "NOBODY",
            assessor_is_atasan=False,
            employee_nip=EMPLOYEE,
            period_year=2026,
            plan_atasan_nip=ATASAN,
            assessor=assessor,
            employee=_person(EMPLOYEE, "PKM", ATASAN),
        )

    if allowed:
        check()
    else:
        with pytest.raises(Forbidden):
            check()
