"""Rules of the follow-up stage, free of I/O: who gets a reward, who gets pembinaan, promotion
eligibility and coaching goals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


def coaching_goals(breakdown: Iterable[Mapping[str, Any]], limit: int) -> list[str]:
    """Improvement goals for pembinaan, one per weakest IKI; one generic goal without a breakdown."""
    goals = [_goal(item) for item in weakest_indicators(breakdown, limit)]
    return goals or [GENERIC_GOAL]
