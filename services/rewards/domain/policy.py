"""A rewards policy: the per-instansi, versioned configuration that turns a predikat into consequences.

The values live in JSON (packaged files, or versions an admin published through the API; see
adapters/policies.py); this is the validated, immutable form the rules work with. Every decision
records the policy's version; a version is never edited, a change is a new version.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from shared.contracts.vocabulary import Predikat


class BudgetBehaviour(StrEnum):
    """What happens when a unit's incentive budget for the period cannot pay every claim in full."""

    PRO_RATA = "pro_rata"  # every claim of the unit is scaled by budget / total claims
    WAITLIST = "waitlist"  # claims are paid in full in decision order; the rest wait for money to free up


# PermenPANRB 1/2023: the share of the jenjang's annual coefficient earned per annual predikat.
DEFAULT_CREDIT_PERCENTAGE = {
    Predikat.SANGAT_BAIK: 150.0,
    Predikat.BAIK: 100.0,
    Predikat.BUTUH_PERBAIKAN: 75.0,
    Predikat.KURANG: 50.0,
    Predikat.SANGAT_KURANG: 25.0,
}


@dataclass(frozen=True)
class Policy:
    version: str
    effective_from: date
    incentive_percentage: dict[Predikat, float]
    awards: dict[Predikat, tuple[str, ...]]
    coaching_duration_months: int
    coaching_goal_count: int
    description: str = ""
    tenant: str | None = None  # None: the default policy
    # Yearly TPP base per position kind (jpt, administrator, …; "default" for the rest); empty: percentages only.
    incentive_base_amount: dict[str, float] = field(default_factory=dict)
    budget_behaviour: BudgetBehaviour = BudgetBehaviour.PRO_RATA
    credit_percentage: dict[Predikat, float] = field(default_factory=lambda: dict(DEFAULT_CREDIT_PERCENTAGE))
    annual_coefficient: dict[str, float] = field(default_factory=dict)  # per jenjang of a functional position
    promotion_minimum: Predikat = Predikat.BAIK
    promotion_years: int = 2
    courses_per_weakness: int = 1
    high_performer_courses: int = 2
    source: str = "packaged"  # packaged (a file) | published (through the API)

    def incentive_for(self, predikat: Predikat) -> float:
        return self.incentive_percentage[predikat]

    def awards_for(self, predikat: Predikat) -> list[str]:
        return list(self.awards.get(predikat, ()))

    def base_amount_for(self, position_kind: str | None) -> float | None:
        amounts = self.incentive_base_amount
        if position_kind and position_kind in amounts:
            return amounts[position_kind]
        return amounts.get("default")


def period_takes_effect(period_year: int) -> date:
    """An annual result's consequences (next year's incentive, credit points, promotion) take effect
    on 1 January after the period: the policy in force on that day decides them."""
    return date(period_year + 1, 1, 1)


def policy_on(versions: Iterable[Policy], day: date) -> Policy:
    """The version in force on `day`.

    Among versions with effective_from on or before that day, the latest effective_from wins; on a
    tie the instansi's own beats the default, then the later published. When none is in force yet
    (a day before the first version), the earliest version applies. `versions` must be in
    publication order and not empty.
    """
    ordered = list(versions)
    if not ordered:
        raise ValueError("no policy versions")
    ranked = [(p.effective_from, p.tenant is not None, i, p) for i, p in enumerate(ordered)]
    in_force = [r for r in ranked if r[0] <= day]
    if in_force:
        return max(in_force, key=lambda r: r[:3])[3]
    return min(ranked, key=lambda r: (r[0], not r[1], r[2]))[3]


def policy_in_effect(versions: Iterable[Policy], period_year: int) -> Policy:
    """The version that decides an annual result: the one in force when its consequences take effect."""
    return policy_on(versions, period_takes_effect(period_year))
