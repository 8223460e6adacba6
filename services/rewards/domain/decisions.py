"""The two outcomes of an annual evaluation, as event-sourced aggregates.

- `RewardDecision` (Sangat Baik, Baik): incentive, awards, promotion eligibility.
- `Coaching` (Butuh Perbaikan, Kurang, Sangat Kurang): pembinaan with the atasan as coach; it starts
  `assigned` (later steps of the PP 30/2019 path will extend the state machine).

Ids derive from the evaluation id, so the same evaluation can never yield a second decision.
Quarterly results have no consequences.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from services.rewards.domain.policy import Policy
from services.rewards.domain.rules import COACHED, coaching_goals, promotion_eligible
from shared.aggregate import Aggregate
from shared.contracts.vocabulary import Predikat

ANNUAL = "annual"


@dataclass(frozen=True)
class EvaluationResult:
    """What rewards needs of an `evaluation.completed` payload."""

    evaluation_id: str
    nip: str
    employee_name: str
    atasan_nip: str
    unit: str
    atasan_name: str | None
    period_year: int
    period: str
    predikat: Predikat
    breakdown: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> EvaluationResult:
        return cls(
            evaluation_id=payload["evaluation_id"],
            nip=payload["nip"],
            employee_name=payload["employee_name"],
            atasan_nip=payload["atasan_nip"],
            unit=payload["unit"],
            atasan_name=payload.get("atasan_name"),
            period_year=payload["period_year"],
            period=payload["period"],
            predikat=Predikat(payload["predikat"]),
            breakdown=list(payload.get("breakdown") or []),
        )

    @property
    def is_annual(self) -> bool:
        return self.period == ANNUAL


def reward_id_for(evaluation_id: str) -> str:
    return f"reward-{evaluation_id}"


def coaching_id_for(evaluation_id: str) -> str:
    return f"coaching-{evaluation_id}"


class RewardDecision(Aggregate):
    aggregate_type = "reward_decision"
    kind = "reward"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.tenant = ""
        self.facts: dict[str, Any] = {}

    @classmethod
    def grant(
        cls, *, tenant: str, evaluation: EvaluationResult, policy: Policy, previous_predikat: Predikat | None
    ) -> RewardDecision:
        decision = cls(reward_id_for(evaluation.evaluation_id))
        decision._record(
            "reward.granted",
            tenant=tenant,
            evaluation_id=evaluation.evaluation_id,
            nip=evaluation.nip,
            employee_name=evaluation.employee_name,
            period_year=evaluation.period_year,
            predikat=evaluation.predikat.value,
            incentive_percentage=policy.incentive_for(evaluation.predikat),
            awards=policy.awards_for(evaluation.predikat),
            promotion_eligible=promotion_eligible(evaluation.predikat, previous_predikat),
            previous_predikat=previous_predikat.value if previous_predikat else None,
            policy_version=policy.version,
        )
        return decision

    def integration_payload(self) -> dict[str, Any]:
        """The `reward.granted` contract payload."""
        f = self.facts
        return {
            "decision_id": self.id,
            **{
                k: f[k]
                for k in (
                    "evaluation_id",
                    "nip",
                    "employee_name",
                    "period_year",
                    "predikat",
                    "incentive_percentage",
                    "awards",
                    "promotion_eligible",
                    "policy_version",
                )
            },
        }

    def details(self) -> dict[str, Any]:
        return {
            "awards": list(self.facts["awards"]),
            "promotion_eligible": self.facts["promotion_eligible"],
            "previous_predikat": self.facts["previous_predikat"],
        }

    def _on_reward_granted(self, data: dict[str, Any]) -> None:
        self.tenant = data["tenant"]
        self.facts = dict(data)


class CoachingState(StrEnum):
    ASSIGNED = "assigned"


class Coaching(Aggregate):
    """Pembinaan of an under-performer: an improvement plan with the atasan as coach."""

    aggregate_type = "coaching"
    kind = "coaching"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.tenant = ""
        self.state: CoachingState | None = None
        self.facts: dict[str, Any] = {}

    @classmethod
    def assign(cls, *, tenant: str, evaluation: EvaluationResult, policy: Policy) -> Coaching:
        coaching = cls(coaching_id_for(evaluation.evaluation_id))
        coaching._record(
            "coaching.assigned",
            tenant=tenant,
            evaluation_id=evaluation.evaluation_id,
            nip=evaluation.nip,
            employee_name=evaluation.employee_name,
            coach_nip=evaluation.atasan_nip,
            coach_name=evaluation.atasan_name,
            period_year=evaluation.period_year,
            predikat=evaluation.predikat.value,
            incentive_percentage=policy.incentive_for(evaluation.predikat),
            duration_months=policy.coaching_duration_months,
            goals=coaching_goals(evaluation.breakdown, policy.coaching_goal_count),
            policy_version=policy.version,
        )
        return coaching

    def integration_payload(self) -> dict[str, Any]:
        """The `coaching.assigned` contract payload."""
        f = self.facts
        return {
            "coaching_id": self.id,
            **{
                k: f[k]
                for k in (
                    "evaluation_id",
                    "nip",
                    "employee_name",
                    "coach_nip",
                    "coach_name",
                    "period_year",
                    "predikat",
                    "incentive_percentage",
                    "duration_months",
                    "goals",
                    "policy_version",
                )
            },
        }

    def details(self) -> dict[str, Any]:
        return {
            "state": self.state.value if self.state else None,
            "coach_nip": self.facts["coach_nip"],
            "duration_months": self.facts["duration_months"],
            "goals": list(self.facts["goals"]),
        }

    def _on_coaching_assigned(self, data: dict[str, Any]) -> None:
        self.tenant = data["tenant"]
        self.facts = {"coach_name": None, **data}
        self.state = CoachingState.ASSIGNED


Decision = RewardDecision | Coaching


def decide(
    *, tenant: str, evaluation: EvaluationResult, policy: Policy, previous_predikat: Predikat | None
) -> Decision | None:
    """The consequence of one evaluation result, or None when it has none (quarterly results)."""
    if not evaluation.is_annual:
        return None
    if evaluation.predikat in COACHED:
        return Coaching.assign(tenant=tenant, evaluation=evaluation, policy=policy)
    return RewardDecision.grant(
        tenant=tenant, evaluation=evaluation, policy=policy, previous_predikat=previous_predikat
    )
