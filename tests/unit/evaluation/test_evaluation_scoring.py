"""Scoring rules at their edges: achievement, IKI bands, the two ratings, the predikat matrix."""

from __future__ import annotations

import pytest

from services.evaluation.domain.scoring import (
    PREDIKAT_MATRIX,
    ScoringConfig,
    achievement_pct,
    evaluate,
    predikat_for,
    rate_by_rule,
    rate_iki,
    rate_perilaku_kerja,
    realisasi_for_period,
)
from shared.contracts.vocabulary import Predikat, Rating
from tests.unit.evaluation.evaluation_samples import BERAKHLAK, SKP_ID, plan_payload

HIGHER, LOWER = "higher_is_better", "lower_is_better"
A, S, B = Rating.DI_ATAS, Rating.SESUAI, Rating.DI_BAWAH


# --- achievement_pct ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "realisasi", "direction", "expected"),
    [
        (1200, 1200, HIGHER, 100.0),
        (1200, 1500, HIGHER, 125.0),  # over-achievement is kept (capped only at 200%)
        (1200, 0, HIGHER, 0.0),
        (3, 1, HIGHER, 33.33),  # rounded to 2 decimals
        (0, 0, HIGHER, 100.0),  # zero target: nothing was expected
        (0, 7, HIGHER, 100.0),
        (30, 30, LOWER, 100.0),
        (30, 0, LOWER, 200.0),
        (30, 15, LOWER, 150.0),
        (30, 45, LOWER, 50.0),
        (30, 60, LOWER, 0.0),  # r = 2t
        (30, 90, LOWER, 0.0),  # never negative
        (0, 0, LOWER, 100.0),
        (0, 0.5, LOWER, 0.0),
    ],
)
def test_achievement_pct(target, realisasi, direction, expected):
    assert achievement_pct(target, realisasi, direction) == expected


@pytest.mark.parametrize("direction", [HIGHER, LOWER])
def test_achievement_pct_is_none_without_realisasi(direction):
    assert achievement_pct(100, None, direction) is None
    assert achievement_pct(0, None, direction) is None


# --- realisasi per period -----------------------------------------------------------------


def test_realisasi_for_quarter_uses_that_quarter_only():
    reports = {1: 300.0, 3: 900.0}
    assert realisasi_for_period(reports, "Q1") == 300.0
    assert realisasi_for_period(reports, "Q3") == 900.0
    assert realisasi_for_period(reports, "Q2") is None
    assert realisasi_for_period(reports, "Q4") is None


def test_realisasi_for_annual_uses_latest_quarter_reported():
    assert realisasi_for_period({2: 500.0, 1: 300.0, 3: 800.0}, "annual") == 800.0
    assert realisasi_for_period({}, "annual") is None


# --- IKI bands ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pct", "rating"),
    [(None, B), (0.0, B), (99.99, B), (100.0, S), (109.99, S), (110.0, A), (200.0, A)],
)
def test_rate_iki_default_bands(pct, rating):
    assert rate_iki(pct) == rating


def test_rate_iki_bands_are_configurable():
    config = ScoringConfig(di_atas_min_pct=120, sesuai_min_pct=90)
    assert rate_iki(95, config) == S
    assert rate_iki(115, config) == S
    assert rate_iki(120, config) == A
    assert rate_iki(89.99, config) == B


# --- the hasil-kerja rule at its thresholds -------------------------------------------------


def U(rating):  # an utama item
    return (rating, True)


def T(rating):  # a tambahan item
    return (rating, False)


def test_di_atas_needs_more_than_half_di_atas():
    assert rate_by_rule([U(A), U(A), U(A), U(S)]).rating == A  # 3 of 4
    assert rate_by_rule([U(A), U(A), U(S), U(S)]).rating == S  # exactly half is not more than half


def test_di_atas_refused_by_one_utama_below():
    assert rate_by_rule([U(A), U(A), U(A), U(B)]).rating == S  # 1 of 4 utama below = 25%: sesuai
    # a tambahan below does not stop di atas
    assert rate_by_rule([U(A), U(A), U(A), T(B)]).rating == A


def test_sesuai_needs_more_than_half_at_least_sesuai():
    assert rate_by_rule([U(S), U(S), T(B)]).rating == S
    assert rate_by_rule([U(S), T(B)]).rating == B  # exactly half
    outcome = rate_by_rule([U(S), T(B), T(B)])
    assert (outcome.rating, outcome.at_least_sesuai, outcome.total) == (B, 1, 3)


def test_sesuai_tolerates_utama_below_up_to_the_share():
    # 1 of 4 utama below (25%) is tolerated, 2 of 5 (40%) is not
    assert rate_by_rule([U(S), U(S), U(S), U(B)]).rating == S
    outcome = rate_by_rule([U(S), U(S), U(S), U(B), U(B)])
    assert (outcome.rating, outcome.utama_below, outcome.utama_total) == (B, 2, 5)
    # 1 of 3 utama (33%) is too many, even with most items fine
    assert rate_by_rule([U(S), U(S), U(B), T(A), T(A)]).rating == B
    # a looser tolerance lets it through
    assert rate_by_rule([U(S), U(S), U(B), T(A), T(A)], ScoringConfig(max_utama_below_share=0.5)).rating == S


def test_only_tambahan_items_have_no_utama_to_fail():
    assert rate_by_rule([T(S), T(S), T(B)]).rating == S


def test_no_items_is_below():
    assert rate_by_rule([]).rating == B


# --- perilaku kerja -----------------------------------------------------------------------


def _behaviour(di_atas: int, di_bawah: int) -> dict[str, str]:
    ratings = [A] * di_atas + [B] * di_bawah
    ratings += [S] * (7 - len(ratings))
    return {value: rating.value for value, rating in zip(BERAKHLAK, ratings, strict=True)}


def test_perilaku_counts_every_value_as_utama():
    assert rate_perilaku_kerja(_behaviour(4, 0)).rating == A
    assert rate_perilaku_kerja(_behaviour(3, 0)).rating == S  # 3 of 7 di atas is not more than half
    assert rate_perilaku_kerja(_behaviour(6, 1)).rating == S  # any value below stops di atas
    assert rate_perilaku_kerja(_behaviour(0, 1)).rating == S  # 1 of 7 ≤ 25%
    assert rate_perilaku_kerja(_behaviour(0, 2)).rating == B  # 2 of 7 > 25%


def test_perilaku_counts_a_missing_value_as_below():
    behaviour = _behaviour(7, 0)
    del behaviour["loyal"], behaviour["adaptif"]
    outcome = rate_perilaku_kerja(behaviour)
    assert (outcome.rating, outcome.utama_below) == (B, 2)


# --- predikat matrix ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hasil", "perilaku", "predikat"),
    [
        (A, B, Predikat.KURANG),
        (A, S, Predikat.BAIK),
        (A, A, Predikat.SANGAT_BAIK),
        (S, B, Predikat.KURANG),
        (S, S, Predikat.BAIK),
        (S, A, Predikat.BAIK),
        (B, B, Predikat.SANGAT_KURANG),
        (B, S, Predikat.BUTUH_PERBAIKAN),
        (B, A, Predikat.BUTUH_PERBAIKAN),
    ],
)
def test_predikat_matrix(hasil, perilaku, predikat):
    assert predikat_for(hasil, perilaku) == predikat
    assert predikat_for(hasil.value, perilaku.value) == predikat  # stored strings work too


def test_matrix_covers_every_cell():
    assert len(PREDIKAT_MATRIX) == 9


# --- the whole evaluation -----------------------------------------------------------------


def test_evaluate_breakdown_ratings_and_explanation():
    plan = plan_payload()
    realisasi = {
        f"{SKP_ID}.rhk1.iki1": {1: 300.0, 4: 1400.0},  # 116.67% → di atas
        f"{SKP_ID}.rhk1.iki2": {4: 24.0},  # lower is better: 120% → di atas
        # rhk2.iki1 (tambahan) never reported → di bawah
    }
    result = evaluate(
        rhk=plan["rhk"], realisasi=realisasi, behaviour=_behaviour(0, 0), period="annual", period_year=2026
    )
    by_iki = {row["iki_id"].removeprefix(f"{SKP_ID}."): row for row in result.breakdown}
    assert by_iki["rhk1.iki1"]["realisasi"] == 1400.0
    assert by_iki["rhk1.iki1"]["achievement_pct"] == 116.67
    assert by_iki["rhk1.iki2"]["achievement_pct"] == 120.0
    assert by_iki["rhk2.iki1"]["realisasi"] is None
    assert by_iki["rhk2.iki1"]["achievement_pct"] is None
    assert by_iki["rhk2.iki1"]["rating"] == B.value
    assert by_iki["rhk2.iki1"]["rhk_kind"] == "tambahan"
    assert result.rating_hasil_kerja == A  # 2 of 3 di atas, the one below is tambahan
    assert result.rating_perilaku_kerja == S
    assert result.predikat == Predikat.BAIK
    assert (
        "Rating hasil kerja: di atas ekspektasi — 2 dari 3 IKI di atas target, tidak ada IKI utama di bawah ekspektasi."
        in result.explanation
    )
    assert "1 IKI belum memiliki realisasi sehingga dinilai di bawah ekspektasi." in result.explanation
    assert result.explanation[-1] == "Predikat dari matriks: hasil kerja di atas × perilaku sesuai → Baik."


def test_evaluate_quarter_ignores_later_reports():
    plan = plan_payload()
    realisasi = {f"{SKP_ID}.rhk1.iki1": {1: 300.0, 2: 1400.0}}
    result = evaluate(rhk=plan["rhk"], realisasi=realisasi, behaviour=_behaviour(0, 0), period="Q1", period_year=2026)
    assert result.breakdown[0]["realisasi"] == 300.0
    assert result.breakdown[0]["achievement_pct"] == 25.0
    assert result.rating_hasil_kerja == B
    assert any("hanya 0 dari 3 IKI" in sentence for sentence in result.explanation)
    assert any("triwulan I 2026" in sentence for sentence in result.explanation)


def test_evaluate_refuses_an_unknown_period():
    with pytest.raises(ValueError, match="period"):
        evaluate(rhk=[], realisasi={}, behaviour={}, period="Q5", period_year=2026)
