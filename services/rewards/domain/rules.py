"""Rules of the follow-up stage, free of I/O: who gets a reward, who gets pembinaan, promotion
eligibility and coaching goals."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shared.contracts.vocabulary import Predikat

# Best first; used to compare predikat ("at least Baik").
PREDIKAT_ORDER: tuple[Predikat, ...] = (
    Predikat.SANGAT_BAIK,
    Predikat.BAIK,
    Predikat.BUTUH_PERBAIKAN,
    Predikat.KURANG,
    Predikat.SANGAT_KURANG,
)
REWARDED = frozenset({Predikat.SANGAT_BAIK, Predikat.BAIK})
COACHED = frozenset(PREDIKAT_ORDER) - REWARDED

GENERIC_GOAL = "Susun rencana peningkatan kinerja bersama atasan dan capai seluruh target SKP pada periode berikutnya."


def at_least(predikat: Predikat, floor: Predikat) -> bool:
    return PREDIKAT_ORDER.index(predikat) <= PREDIKAT_ORDER.index(floor)


def promotion_eligible(current: Predikat, previous: Predikat | None) -> bool:
    """Regular promotion needs at least Baik in each of the last two years; an unknown year counts as not met."""
    return previous is not None and at_least(current, Predikat.BAIK) and at_least(previous, Predikat.BAIK)


def format_number(value: float) -> str:
    """800.0 -> "800", 12.5 -> "12,5" (Indonesian decimal comma)."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").replace(".", ",")


def _goal(item: Mapping[str, Any]) -> str:
    indicator = item["indicator"]
    target = format_number(item["target"])
    realisasi = item.get("realisasi")
    if realisasi is None:
        return f"Tingkatkan capaian IKI '{indicator}' (belum ada realisasi; target {target})."
    suffix = "; makin rendah makin baik" if item.get("direction") == "lower_is_better" else ""
    return f"Tingkatkan capaian IKI '{indicator}' (realisasi {format_number(realisasi)} dari target {target}{suffix})."


def weakest_indicators(breakdown: Iterable[Mapping[str, Any]], limit: int) -> list[Mapping[str, Any]]:
    """The `limit` lowest achievements; an IKI without an achievement counts as the lowest.

    The sort is stable, so ties keep the order of the evaluation's breakdown.
    """
    items = list(breakdown)
    ranked = sorted(
        items,
        key=lambda i: (i.get("achievement_pct") is not None, i.get("achievement_pct") or 0.0),
    )
    return ranked[: max(limit, 0)]


def coaching_goals(
    breakdown: Iterable[Mapping[str, Any]], limit: int, weaknesses: Iterable[Mapping[str, Any]] = ()
) -> list[str]:
    """Improvement goals for pembinaan, one per weakest indicator or behaviour.

    The evaluation's weaknesses (indicators and BerAKHLAK behaviours furthest below expectation)
    come first, most below first; without them, the weakest IKI of the breakdown. One generic goal
    when there is neither.
    """
    found = sorted(weaknesses, key=lambda w: w.get("gap", 0.0))
    if found:
        by_iki = {item.get("iki_id"): item for item in breakdown}
        return [_weakness_goal(w, by_iki.get(w["ref"])) for w in found[: max(limit, 0)]] or [GENERIC_GOAL]
    goals = [_goal(item) for item in weakest_indicators(breakdown, limit)]
    return goals or [GENERIC_GOAL]


def _weakness_goal(weakness: Mapping[str, Any], iki: Mapping[str, Any] | None) -> str:
    if weakness["kind"] == "perilaku":
        return f"Tunjukkan perilaku kerja '{weakness['label']}' sesuai ekspektasi pimpinan."
    if iki is not None:
        return _goal(iki)
    return f"Tingkatkan capaian IKI '{weakness['label']}' hingga memenuhi target."


# --- promotion ----------------------------------------------------------------------------


def promotion_years_met(results: list[Predikat | None], minimum: Predikat) -> bool:
    """At least `minimum` in every one of the years given (newest first); an unknown year is not met."""
    return bool(results) and all(r is not None and at_least(r, minimum) for r in results)


# --- credit points (angka kredit) ---------------------------------------------------------


def credit_points(annual_coefficient: float, percentage: float) -> float:
    """PermenPANRB 1/2023: the jenjang's annual coefficient × the predikat's percentage (3 decimals)."""
    return round(annual_coefficient * percentage / 100, 3)


# --- incentive budget ---------------------------------------------------------------------


@dataclass(frozen=True)
class Allocation:
    payable: float | None
    status: str  # no_amount | no_budget | within_budget | pro_rata | waitlisted


def allocate(gross_amounts: list[float | None], budget: float | None, behaviour: str) -> list[Allocation]:
    """What each claim of one unit and period is paid, in decision order.

    - no budget set for the unit: every claim is paid in full (`no_budget`);
    - the claims fit the budget: in full (`within_budget`);
    - `pro_rata`: every claim is scaled by budget / total, rounded down to whole rupiah so the sum
      never exceeds the budget;
    - `waitlist`: claims are paid in full in decision order until the next one no longer fits; it and
      every later claim wait (`waitlisted`, paid 0) — first come, first served, no queue jumping.
    A claim without an amount (the policy has no base amount) stays `no_amount`.
    """
    amounts = [a for a in gross_amounts if a is not None]
    total = sum(amounts)
    out: list[Allocation] = []
    if budget is None or total <= budget:
        status = "no_budget" if budget is None else "within_budget"
        return [Allocation(None, "no_amount") if a is None else Allocation(a, status) for a in gross_amounts]
    if behaviour == "pro_rata":
        factor = budget / total if total else 0.0
        return [
            Allocation(None, "no_amount") if a is None else Allocation(math.floor(a * factor), "pro_rata")
            for a in gross_amounts
        ]
    remaining, queue_started = budget, False
    for a in gross_amounts:
        if a is None:
            out.append(Allocation(None, "no_amount"))
        elif not queue_started and a <= remaining:
            remaining -= a
            out.append(Allocation(a, "within_budget"))
        else:
            queue_started = True
            out.append(Allocation(0.0, "waitlisted"))
    return out


# --- training -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Course:
    course_id: str
    title: str
    competency: str
    hours: int | None = None


@dataclass(frozen=True)
class Catalogue:
    """Courses per competency: the seven BerAKHLAK values and the four IKI aspects; `general` for the rest."""

    version: str
    courses: dict[str, tuple[Course, ...]]
    general: tuple[Course, ...] = ()


def recommend_courses(
    catalogue: Catalogue,
    weaknesses: Iterable[Mapping[str, Any]],
    iki_aspects: Mapping[str, str],
    per_weakness: int,
) -> list[dict[str, Any]]:
    """Courses for the weakest indicators and behaviours, weakest first, each course once.

    A behaviour weakness (`perilaku`) names its BerAKHLAK value; an IKI weakness is matched through
    the IKI's aspect (kuantitas, kualitas, waktu, biaya) as planned. Without any match, the catalogue's
    general courses are offered.
    """
    ranked = sorted(weaknesses, key=lambda w: w.get("gap", 0.0))
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for weakness in ranked:
        competency = weakness["ref"] if weakness["kind"] == "perilaku" else iki_aspects.get(weakness["ref"])
        for course in catalogue.courses.get(competency or "", ())[: max(per_weakness, 0)]:
            if course.course_id in seen:
                continue
            seen.add(course.course_id)
            out.append(
                _course(course)
                | {"matched_kind": weakness["kind"], "matched_ref": weakness["ref"], "matched_label": weakness["label"]}
            )
    return out


def general_courses(catalogue: Catalogue, limit: int) -> list[dict[str, Any]]:
    return [
        _course(c) | {"matched_kind": None, "matched_ref": None, "matched_label": None}
        for c in catalogue.general[:limit]
    ]


def _course(course: Course) -> dict[str, Any]:
    return {
        "course_id": course.course_id,
        "title": course.title,
        "competency": course.competency,
        "hours": course.hours,
    }
