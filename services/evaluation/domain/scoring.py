"""Scoring of an evaluation: achievement per IKI, the two ratings, the predikat and its explanation.

Pure functions, no I/O (PermenPANRB 6/2022; the predikat matrix is design.md §2). The thresholds are
configuration (`ScoringConfig`) because regions and later regulation may set them differently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from shared.contracts.vocabulary import BerakhlakValue, Direction, Predikat, Rating, RhkKind

PERIODS = ("annual", "Q1", "Q2", "Q3", "Q4")

RATING_LABEL = {
    Rating.DI_ATAS: "di atas ekspektasi",
    Rating.SESUAI: "sesuai ekspektasi",
    Rating.DI_BAWAH: "di bawah ekspektasi",
}
_RATING_SHORT = {Rating.DI_ATAS: "di atas", Rating.SESUAI: "sesuai", Rating.DI_BAWAH: "di bawah"}
PREDIKAT_LABEL = {
    Predikat.SANGAT_BAIK: "Sangat Baik",
    Predikat.BAIK: "Baik",
    Predikat.BUTUH_PERBAIKAN: "Butuh Perbaikan",
    Predikat.KURANG: "Kurang",
    Predikat.SANGAT_KURANG: "Sangat Kurang",
}

# Rows: rating hasil kerja; columns: rating perilaku kerja (design.md §2).
PREDIKAT_MATRIX: Mapping[tuple[Rating, Rating], Predikat] = {
    (Rating.DI_ATAS, Rating.DI_BAWAH): Predikat.KURANG,
    (Rating.DI_ATAS, Rating.SESUAI): Predikat.BAIK,
    (Rating.DI_ATAS, Rating.DI_ATAS): Predikat.SANGAT_BAIK,
    (Rating.SESUAI, Rating.DI_BAWAH): Predikat.KURANG,
    (Rating.SESUAI, Rating.SESUAI): Predikat.BAIK,
    (Rating.SESUAI, Rating.DI_ATAS): Predikat.BAIK,
    (Rating.DI_BAWAH, Rating.DI_BAWAH): Predikat.SANGAT_KURANG,
    (Rating.DI_BAWAH, Rating.SESUAI): Predikat.BUTUH_PERBAIKAN,
    (Rating.DI_BAWAH, Rating.DI_ATAS): Predikat.BUTUH_PERBAIKAN,
}


@dataclass(frozen=True)
class ScoringConfig:
    """Bands for rating one IKI by its achievement, and the tolerance of the hasil-kerja rule."""

    di_atas_min_pct: float = 110.0  # achievement at or above → di atas ekspektasi
    sesuai_min_pct: float = 100.0  # at or above → sesuai ekspektasi; below (or no realisasi) → di bawah
    max_utama_below_share: float = 0.25  # "only a small part" of the utama results may be below
    # Over-achievement counts, up to this cap: one runaway indicator (a 10× target) must not hide
    # the others in averages or in the strengths list. Lower-is-better tops out at 200 anyway.
    max_achievement_pct: float = 200.0


DEFAULT_CONFIG = ScoringConfig()


# --- one IKI ------------------------------------------------------------------------------------


def realisasi_for_period(reports: Mapping[int, float], period: str) -> float | None:
    """Realisasi is cumulative to date: a quarter uses its own report, the year its latest one."""
    if period == "annual":
        return reports[max(reports)] if reports else None
    return reports.get(int(period.removeprefix("Q")))


def achievement_pct(
    target: float, realisasi: float | None, direction: str, cap: float = DEFAULT_CONFIG.max_achievement_pct
) -> float | None:
    """Direction-aware achievement in percent, 2 decimals, in [0, cap]; None without realisasi.

    Edge rules: higher-is-better r/t (a zero target — nothing was expected — is met by any
    realisasi: 100); lower-is-better 2 − r/t (r = t → 100, r = 0 → 200, r ≥ 2t → 0), and with a
    zero target only a zero realisasi meets it (100, else 0). A non-positive target counts as zero
    (the API never accepts a negative one); a negative realisasi counts as zero."""
    if realisasi is None:
        return None
    realisasi = max(0.0, realisasi)
    if direction == Direction.LOWER_IS_BETTER:
        if target <= 0:
            return 100.0 if realisasi == 0 else 0.0
        pct = (2 - realisasi / target) * 100
    elif target <= 0:
        pct = 100.0
    else:
        pct = realisasi / target * 100
    return round(min(cap, max(0.0, pct)), 2)


def rate_iki(pct: float | None, config: ScoringConfig = DEFAULT_CONFIG) -> Rating:
    if pct is None:
        return Rating.DI_BAWAH  # no realisasi reported: the result cannot be shown to be met
    if pct >= config.di_atas_min_pct:
        return Rating.DI_ATAS
    if pct >= config.sesuai_min_pct:
        return Rating.SESUAI
    return Rating.DI_BAWAH


# --- ratings over many items ------------------------------------------------------------------


@dataclass(frozen=True)
class RuleOutcome:
    """A rating with the counts that decided it (kept for the explanation)."""

    rating: Rating
    total: int
    di_atas: int
    at_least_sesuai: int
    utama_total: int
    utama_below: int


def rate_by_rule(items: Sequence[tuple[Rating, bool]], config: ScoringConfig = DEFAULT_CONFIG) -> RuleOutcome:
    """Items are (rating, is_utama). Di atas: more than half di atas and no utama below. Sesuai:
    more than half at least sesuai and at most `max_utama_below_share` of the utama below."""
    total = len(items)
    di_atas = sum(1 for rating, _ in items if rating == Rating.DI_ATAS)
    at_least_sesuai = sum(1 for rating, _ in items if rating != Rating.DI_BAWAH)
    utama_total = sum(1 for _, utama in items if utama)
    utama_below = sum(1 for rating, utama in items if utama and rating == Rating.DI_BAWAH)
    if total and di_atas * 2 > total and utama_below == 0:
        rating = Rating.DI_ATAS
    elif total and at_least_sesuai * 2 > total and utama_below <= config.max_utama_below_share * utama_total:
        rating = Rating.SESUAI
    else:
        rating = Rating.DI_BAWAH
    return RuleOutcome(rating, total, di_atas, at_least_sesuai, utama_total, utama_below)


def rate_hasil_kerja(breakdown: Sequence[Mapping[str, Any]], config: ScoringConfig = DEFAULT_CONFIG) -> RuleOutcome:
    return rate_by_rule([(Rating(b["rating"]), b["rhk_kind"] == RhkKind.UTAMA) for b in breakdown], config)


def rate_perilaku_kerja(behaviour: Mapping[str, str], config: ScoringConfig = DEFAULT_CONFIG) -> RuleOutcome:
    """All seven BerAKHLAK values count as utama; a value not rated counts as below."""
    return rate_by_rule([(Rating(behaviour.get(v.value, Rating.DI_BAWAH)), True) for v in BerakhlakValue], config)


def predikat_for(hasil_kerja: Rating, perilaku_kerja: Rating) -> Predikat:
    return PREDIKAT_MATRIX[(Rating(hasil_kerja), Rating(perilaku_kerja))]


# --- the whole evaluation ---------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationResult:
    rating_hasil_kerja: Rating
    rating_perilaku_kerja: Rating
    predikat: Predikat
    breakdown: list[dict[str, Any]]
    explanation: list[str]
    strengths: list[dict[str, Any]] = field(default_factory=list)
    weaknesses: list[dict[str, Any]] = field(default_factory=list)


def unit_target_iki_ids(rhk: Sequence[Mapping[str, Any]]) -> set[str]:
    """The IKI that measure a unit-level target (they carry `unit_target_id`)."""
    return {iki["iki_id"] for item in rhk for iki in item["iki"] if iki.get("unit_target_id")}


def build_breakdown(
    rhk: Sequence[Mapping[str, Any]],
    realisasi: Mapping[str, Mapping[int, float]],
    period: str,
    config: ScoringConfig = DEFAULT_CONFIG,
) -> list[dict[str, Any]]:
    """One row per IKI of the plan; `realisasi` maps iki_id → {quarter: value}."""
    rows = []
    for item in rhk:
        for iki in item["iki"]:
            value = realisasi_for_period(realisasi.get(iki["iki_id"], {}), period)
            pct = achievement_pct(iki["target"], value, iki["direction"], config.max_achievement_pct)
            rows.append(
                {
                    "rhk_id": item["rhk_id"],
                    "rhk_kind": item["kind"],
                    "iki_id": iki["iki_id"],
                    "indicator": iki["indicator"],
                    "target": iki["target"],
                    "realisasi": value,
                    "direction": iki["direction"],
                    "achievement_pct": pct,
                    "rating": rate_iki(pct, config).value,
                }
            )
    return rows


def evaluate(
    *,
    rhk: Sequence[Mapping[str, Any]],
    realisasi: Mapping[str, Mapping[int, float]],
    behaviour: Mapping[str, str],
    period: str,
    period_year: int,
    config: ScoringConfig = DEFAULT_CONFIG,
    results_follow_unit: bool = False,
    other_behaviour: Sequence[Mapping[str, str]] = (),
) -> EvaluationResult:
    """`behaviour` is the atasan's assessment (it decides the perilaku rating); `other_behaviour`
    holds mandiri, peer and subordinate assessments (they shape strengths and weaknesses).
    With `results_follow_unit` (a unit head's plan) the hasil-kerja rating is taken over the IKI
    that carry a unit target only — the unit's achievement; without such IKI, over all."""
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}")
    breakdown = build_breakdown(rhk, realisasi, period, config)
    unit_ids = unit_target_iki_ids(rhk) if results_follow_unit else set()
    rated_rows = [row for row in breakdown if row["iki_id"] in unit_ids] if unit_ids else breakdown
    hasil = rate_hasil_kerja(rated_rows, config)
    perilaku = rate_perilaku_kerja(behaviour, config)
    predikat = predikat_for(hasil.rating, perilaku.rating)
    missing = sum(1 for row in breakdown if row["realisasi"] is None)
    explanation = explain(
        hasil, perilaku, predikat, period=period, period_year=period_year, missing=missing, config=config
    )
    if results_follow_unit:
        explanation.insert(
            3,
            f"Hasil kerja mengikuti capaian unit: dinilai dari {len(unit_ids)} IKI bertarget unit."
            if unit_ids
            else "SKP meminta hasil kerja mengikuti capaian unit, tetapi tidak ada IKI bertarget unit: "
            "dinilai dari seluruh IKI.",
        )
    strengths, weaknesses = findings(breakdown, behaviour, other_behaviour)
    return EvaluationResult(
        rating_hasil_kerja=hasil.rating,
        rating_perilaku_kerja=perilaku.rating,
        predikat=predikat,
        breakdown=breakdown,
        explanation=explanation,
        strengths=strengths,
        weaknesses=weaknesses,
    )


# --- strengths and weaknesses ------------------------------------------------------------------

RATING_LEVEL = {Rating.DI_ATAS.value: 1, Rating.SESUAI.value: 0, Rating.DI_BAWAH.value: -1}
BERAKHLAK_LABEL = {
    "berorientasi_pelayanan": "Berorientasi Pelayanan",
    "akuntabel": "Akuntabel",
    "kompeten": "Kompeten",
    "harmonis": "Harmonis",
    "loyal": "Loyal",
    "adaptif": "Adaptif",
    "kolaboratif": "Kolaboratif",
}
MAX_FINDINGS = 3


def findings(
    breakdown: Sequence[Mapping[str, Any]],
    behaviour: Mapping[str, str],
    other_behaviour: Sequence[Mapping[str, str]] = (),
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The indicators and behaviours furthest above and below expectation (at most three each).

    IKI gap: (achievement − 100%) as a fraction (125% → +0.25; no realisasi → −1). Behaviour gap, in rating
    levels: the atasan's level (+1 di atas, 0 sesuai, −1 di bawah) plus a quarter of the other
    sources' mean level for that value, so the atasan decides the side and the others rank within it.
    """
    items: list[dict[str, Any]] = []
    for row in breakdown:
        pct = row["achievement_pct"]
        gap = -1.0 if pct is None else round((pct - 100.0) / 100, 4)
        items.append({"kind": "iki", "ref": row["iki_id"], "label": row["indicator"], "gap": gap})
    for value in BerakhlakValue:
        if value.value not in behaviour:
            continue
        others = [RATING_LEVEL[o[value.value]] for o in other_behaviour if value.value in o]
        nudge = 0.25 * sum(others) / len(others) if others else 0.0
        level = RATING_LEVEL[behaviour[value.value]]
        if level == 0:  # at expectation per the atasan: not a finding either way
            continue
        items.append(
            {
                "kind": "perilaku",
                "ref": value.value,
                "label": BERAKHLAK_LABEL[value.value],
                "gap": round(level + nudge, 4),
            }
        )
    strengths = sorted((i for i in items if i["gap"] > 0), key=lambda i: -i["gap"])[:MAX_FINDINGS]
    weaknesses = sorted((i for i in items if i["gap"] < 0), key=lambda i: i["gap"])[:MAX_FINDINGS]
    return strengths, weaknesses


# --- explanation (Bahasa Indonesia: it is read by the employee and the atasan) -----------------


def _period_label(period: str, period_year: int) -> str:
    if period == "annual":
        return f"tahunan {period_year} (realisasi triwulan terakhir yang dilaporkan)"
    return f"triwulan {('I', 'II', 'III', 'IV')[int(period[1]) - 1]} {period_year} (realisasi triwulan itu)"


def _rule_sentence(
    subject: str, outcome: RuleOutcome, *, noun: str, utama_noun: str, above: str, meets: str, config: ScoringConfig
) -> str:
    head = f"Rating {subject}: {RATING_LABEL[outcome.rating]} — "
    limit = f"{config.max_utama_below_share * 100:g}%"
    n, ut, ub = outcome.total, outcome.utama_total, outcome.utama_below
    if outcome.rating == Rating.DI_ATAS:
        return head + f"{outcome.di_atas} dari {n} {noun} {above}, tidak ada {utama_noun} di bawah ekspektasi."
    if outcome.rating == Rating.SESUAI:
        return head + (
            f"{outcome.at_least_sesuai} dari {n} {noun} {meets}, "
            f"{ub} dari {ut} {utama_noun} di bawah ekspektasi (batas {limit})."
        )
    if outcome.at_least_sesuai * 2 <= n:
        return head + f"hanya {outcome.at_least_sesuai} dari {n} {noun} {meets} (perlu lebih dari separuh)."
    return head + f"{ub} dari {ut} {utama_noun} di bawah ekspektasi, melebihi batas {limit}."


def explain(
    hasil: RuleOutcome,
    perilaku: RuleOutcome,
    predikat: Predikat,
    *,
    period: str,
    period_year: int,
    missing: int = 0,
    config: ScoringConfig = DEFAULT_CONFIG,
) -> list[str]:
    sentences = [
        f"Dasar penilaian: {hasil.total} IKI dari SKP yang disetujui, periode {_period_label(period, period_year)}, "
        "dan penilaian perilaku kerja oleh atasan atas 7 nilai BerAKHLAK.",
        f"Rating IKI: capaian ≥ {config.di_atas_min_pct:g}% di atas ekspektasi, ≥ {config.sesuai_min_pct:g}% "
        "sesuai ekspektasi, selain itu di bawah ekspektasi.",
    ]
    if missing:
        sentences.append(f"{missing} IKI belum memiliki realisasi sehingga dinilai di bawah ekspektasi.")
    sentences.append(
        _rule_sentence(
            "hasil kerja",
            hasil,
            noun="IKI",
            utama_noun="IKI utama",
            above="di atas target",
            meets="memenuhi atau melampaui target",
            config=config,
        )
    )
    sentences.append(
        _rule_sentence(
            "perilaku kerja",
            perilaku,
            noun="nilai BerAKHLAK",
            utama_noun="nilai BerAKHLAK",
            above="di atas ekspektasi",
            meets="sesuai atau di atas ekspektasi",
            config=config,
        )
    )
    sentences.append(
        f"Predikat dari matriks: hasil kerja {_RATING_SHORT[hasil.rating]} × "
        f"perilaku {_RATING_SHORT[perilaku.rating]} → {PREDIKAT_LABEL[predikat]}."
    )
    return sentences
