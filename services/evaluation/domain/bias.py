"""Rater bias: how each appraiser's ratings sit against the organisation's, against other people's
view of the same employees (peers and subordinates, the public) and against indicator evidence.

Levels: a rating counts +1 di atas, 0 sesuai, −1 di bawah ekspektasi; an employee's behaviour level
is the mean over the BerAKHLAK values rated. The public level of a unit follows its IKM grade
(A +1, B 0, C and D −1); the evidence level is the employee's rating hasil kerja (from realisasi).

Flags, only for appraisers with at least `min_employees` rated:
- leniency: mean level ≥ the organisation's + `threshold` AND above peers, public or evidence by it;
- severity: the mirror image;
- central tendency: ≥ `central_share` of all their value ratings are sesuai while the
  organisation's share is at most `central_share` − 0.15.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Any

from shared.contracts.vocabulary import Predikat, Rating, values

LEVEL = {Rating.DI_ATAS.value: 1.0, Rating.SESUAI.value: 0.0, Rating.DI_BAWAH.value: -1.0}
GRADE_LEVEL = {"A": 1.0, "B": 0.0, "C": -1.0, "D": -1.0}


@dataclass(frozen=True)
class Rated:
    """One employee as one appraiser rated them, with the other views of the same employee."""

    appraiser: str
    nip: str
    ratings: Sequence[str]  # the appraiser's BerAKHLAK ratings
    predikat: str
    evidence_level: float  # rating hasil kerja as a level
    peer_level: float | None = None
    public_level: float | None = None

    @property
    def level(self) -> float:
        return fmean(LEVEL[r] for r in self.ratings) if self.ratings else 0.0


@dataclass(frozen=True)
class BiasThresholds:
    min_employees: int = 5
    threshold: float = 0.4
    central_share: float = 0.9


def _mean(items: Iterable[float | None]) -> float | None:
    present = [i for i in items if i is not None]
    return round(fmean(present), 3) if present else None


def _gap(a: float, b: float | None) -> float | None:
    return None if b is None else round(a - b, 3)


def rater_bias(rated: Sequence[Rated], limits: BiasThresholds = BiasThresholds()) -> dict[str, Any]:
    all_ratings = [r for item in rated for r in item.ratings]
    org_level = _mean(item.level for item in rated) or 0.0
    org_sesuai = (sum(r == Rating.SESUAI.value for r in all_ratings) / len(all_ratings)) if all_ratings else 0.0
    by_appraiser: dict[str, list[Rated]] = {}
    for item in rated:
        by_appraiser.setdefault(item.appraiser, []).append(item)
    appraisers = []
    for appraiser, items in sorted(by_appraiser.items()):
        ratings = [r for item in items for r in item.ratings]
        level = _mean(item.level for item in items) or 0.0
        sesuai_share = sum(r == Rating.SESUAI.value for r in ratings) / len(ratings) if ratings else 0.0
        against = {
            "organisation": _gap(level, org_level),
            "peers": _gap(level, _mean(item.peer_level for item in items)),
            "public": _gap(level, _mean(item.public_level for item in items)),
            "evidence": _gap(level, _mean(item.evidence_level for item in items)),
        }
        independent = [against[k] for k in ("peers", "public", "evidence") if against[k] is not None]
        flags = []
        if len(items) >= limits.min_employees:
            t = limits.threshold
            if (against["organisation"] or 0) >= t and any(g >= t for g in independent):
                flags.append("leniency")
            if (against["organisation"] or 0) <= -t and any(g <= -t for g in independent):
                flags.append("severity")
            if sesuai_share >= limits.central_share and org_sesuai <= limits.central_share - 0.15:
                flags.append("central_tendency")
        appraisers.append(
            {
                "appraiser_nip": appraiser,
                "employees": len(items),
                "mean_level": round(level, 3),
                "rating_distribution": _distribution(ratings, values(Rating)),
                "predikat_distribution": _distribution([i.predikat for i in items], values(Predikat)),
                "sesuai_share": round(sesuai_share, 3),
                "against": against,
                "flags": flags,
            }
        )
    return {
        "organisation": {
            "employees": len(rated),
            "mean_level": round(org_level, 3),
            "rating_distribution": _distribution(all_ratings, values(Rating)),
            "predikat_distribution": _distribution([i.predikat for i in rated], values(Predikat)),
            "sesuai_share": round(org_sesuai, 3),
        },
        "thresholds": {
            "min_employees": limits.min_employees,
            "threshold": limits.threshold,
            "central_share": limits.central_share,
        },
        "appraisers": appraisers,
    }


def _distribution(items: Sequence[str], keys: Sequence[str]) -> Mapping[str, float]:
    counts = Counter(items)
    return {k: round(counts[k] / len(items), 3) if items else 0.0 for k in keys}
