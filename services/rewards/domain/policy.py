"""A rewards policy: the per-instansi, versioned configuration that turns a predikat into consequences.

The values live in JSON files (see adapters/policies.py); this is the validated, immutable form the
rules work with. Every decision records the policy's version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.contracts.vocabulary import Predikat


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

    def incentive_for(self, predikat: Predikat) -> float:
        return self.incentive_percentage[predikat]

    def awards_for(self, predikat: Predikat) -> list[str]:
        return list(self.awards.get(predikat, ()))
