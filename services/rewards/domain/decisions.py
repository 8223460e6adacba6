"""The two outcomes of an annual evaluation, as event-sourced aggregates.

- `RewardDecision` (Sangat Baik, Baik): incentive, awards, promotion eligibility, credit points,
  training priority.
- `Coaching` (Butuh Perbaikan, Kurang, Sangat Kurang): pembinaan (PP 30/2019 arts. 56–58) with the
  atasan as coach — a state machine whose every step is an event:

      assigned ──check-in──▶ in_progress ──check-in──▶ in_progress   (the atasan changes: coach_changed)
      in_progress ──close(improved)──▶ closed
      in_progress ──close(not_improved)──▶ competency_test ──tested──▶ closed (retained | reassigned)
      any state but revoked ──revoke──▶ revoked   (the evaluation was revised / the period re-run)

Both carry the consequences computed once when the decision is taken (`Consequences`), so a
later policy never rewrites them. Ids derive from the evaluation id and the decision's generation
for that employee and period (1 for the first, 2 after the first revision, …).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from services.rewards.domain.policy import Policy
from services.rewards.domain.rules import COACHED, coaching_goals, promotion_years_met
from shared import json_codec
from shared.aggregate import Aggregate
from shared.contracts.vocabulary import Predikat
from shared.errors import DomainError

ANNUAL = "annual"


@dataclass(frozen=True)
class EvaluationResult:
    """What rewards needs of an `evaluation.completed` or `evaluation.revised` payload."""

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
    strengths: list[dict[str, Any]] = field(default_factory=list)
    weaknesses: list[dict[str, Any]] = field(default_factory=list)
    revision: int = 0
    revision_reason: str = ""

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
            strengths=list(payload.get("strengths") or []),
            weaknesses=list(payload.get("weaknesses") or []),
            revision=int(payload.get("revision") or 0),
            revision_reason=payload.get("revision_reason") or "",
        )

    @property
    def is_annual(self) -> bool:
        return self.period == ANNUAL


@dataclass(frozen=True)
class Consequences:
    """Everything a decision fixes when it is taken, under one policy version."""

    unit_id: str | None
    unit_name: str
    incentive_percentage: float
    base_amount: float | None
    gross_amount: float | None
    awards: list[str]
    promotion_eligible: bool
    promotion_years: list[dict[str, Any]]  # [{period_year, predikat|None}], newest first
    promotion_minimum: str
    credit_points: dict[str, Any] | None  # {jenjang, annual_coefficient, percentage, credit_points}
    training: dict[str, Any] | None  # {reason, priority, courses, catalogue_version}
    coach_nip: str | None = None
    coach_name: str | None = None

    def as_facts(self) -> dict[str, Any]:
        """A copy in JSON values, as the event store gives it back. `dataclasses.asdict` made the
        same copy through `copy.deepcopy`: 79 against 8 µs, once per decision at year-end."""
        return json_codec.loads(json_codec.dumps_bytes(vars(self)))


def decision_id_for(kind: str, evaluation_id: str, generation: int = 1) -> str:
    return f"{kind}-{evaluation_id}" if generation <= 1 else f"{kind}-{evaluation_id}-{generation}"


def reward_id_for(evaluation_id: str, generation: int = 1) -> str:
    return decision_id_for("reward", evaluation_id, generation)


def coaching_id_for(evaluation_id: str, generation: int = 1) -> str:
    return decision_id_for("coaching", evaluation_id, generation)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class DecisionRevoked(DomainError):
    def __init__(self, decision_id: str) -> None:
        super().__init__(
            "decision_revoked",
            f"Keputusan '{decision_id}' sudah dicabut dan diganti; gunakan keputusan penggantinya.",
            f"Decision '{decision_id}' was revoked and replaced; use its successor.",
        )


class _Decision(Aggregate):
    kind = ""

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.tenant = ""
        self.facts: dict[str, Any] = {}
        self.revoked: dict[str, Any] | None = None

    @property
    def consequences(self) -> dict[str, Any]:
        return self.facts["consequences"]

    def revoke(self, *, reason: str, reason_text: str, replaced_by: str | None) -> None:
        if self.revoked is not None:
            raise DecisionRevoked(self.id)
        self._record("decision.revoked", reason=reason, reason_text=reason_text, replaced_by=replaced_by)

    def revoked_payload(self) -> dict[str, Any]:
        """The `reward.revoked` contract payload."""
        f, r = self.facts, self.revoked or {}
        return {
            "decision_id": self.id,
            "decision_kind": self.kind,
            **{k: f[k] for k in ("evaluation_id", "nip", "employee_name", "period_year", "predikat", "policy_version")},
            "reason": r.get("reason"),
            "reason_text": r.get("reason_text", ""),
            "replaced_by": r.get("replaced_by"),
        }

    def _base_facts(self) -> dict[str, Any]:
        f = self.facts
        return {k: f[k] for k in ("evaluation_id", "nip", "employee_name", "period_year", "predikat", "policy_version")}

    def incentive_payload(self, payable: float | None, budget_status: str) -> dict[str, Any]:
        c = self.consequences
        return {
            "decision_id": self.id,
            **self._base_facts(),
            "unit_id": c["unit_id"],
            "unit_name": c["unit_name"],
            "incentive_percentage": c["incentive_percentage"],
            "base_amount": c["base_amount"],
            "gross_amount": c["gross_amount"],
            "payable_amount": payable,
            "budget_status": budget_status,
            "currency": "IDR",
        }

    def credit_points_payload(self) -> dict[str, Any] | None:
        points = self.consequences["credit_points"]
        return None if points is None else {"decision_id": self.id, **self._base_facts(), **points}

    def promotion_payload(self) -> dict[str, Any]:
        c = self.consequences
        return {
            "decision_id": self.id,
            **self._base_facts(),
            "eligible": c["promotion_eligible"],
            "minimum_predikat": c["promotion_minimum"],
            "years": c["promotion_years"],
        }

    def training_payload(self) -> dict[str, Any] | None:
        training = self.consequences["training"]
        if not training or not training["courses"]:
            return None
        f = self.facts
        return {
            "decision_id": self.id,
            **{k: f[k] for k in ("nip", "employee_name", "period_year", "policy_version")},
            **training,
        }

    def common_details(self) -> dict[str, Any]:
        c = self.consequences
        return {
            "unit_id": c["unit_id"],
            "unit_name": c["unit_name"],
            "base_amount": c["base_amount"],
            "gross_amount": c["gross_amount"],
            "promotion_eligible": c["promotion_eligible"],
            "promotion_years": c["promotion_years"],
            "credit_points": c["credit_points"],
            "training": c["training"],
            "revision": self.facts.get("revision", 0),
            "replaces": self.facts.get("replaces"),
            "revoked": self.revoked,
        }

    def redetermine_promotion(self, annual_predikat: Callable[[int], str | None]) -> bool:
        """An earlier year's result was revised: look at the years again under the decision's own rule.

        `annual_predikat(year)` gives the annual result now known. False when neither the years considered
        nor the answer changed (a changed year is published even when the answer stays: it is the record).
        """
        if self.revoked is not None:
            return False
        c = self.consequences
        years = [
            {
                "period_year": y["period_year"],
                "predikat": y["predikat"] if i == 0 else annual_predikat(y["period_year"]),
            }
            for i, y in enumerate(c["promotion_years"])
        ]
        minimum = Predikat(c["promotion_minimum"])
        eligible = promotion_years_met([Predikat(y["predikat"]) if y["predikat"] else None for y in years], minimum)
        if years == c["promotion_years"] and eligible == c["promotion_eligible"]:
            return False
        self._record("promotion.redetermined", promotion_years=years, promotion_eligible=eligible)
        return True

    def _on_promotion_redetermined(self, data: dict[str, Any]) -> None:
        consequences = {**self.consequences, **data}
        self.facts = {**self.facts, "consequences": consequences, "promotion_eligible": data["promotion_eligible"]}

    def _on_decision_revoked(self, data: dict[str, Any]) -> None:
        self.revoked = dict(data)


class RewardDecision(_Decision):
    aggregate_type = "reward_decision"
    kind = "reward"

    @classmethod
    def grant(
        cls,
        *,
        decision_id: str,
        tenant: str,
        evaluation: EvaluationResult,
        policy: Policy,
        consequences: Consequences,
        replaces: str | None = None,
    ) -> RewardDecision:
        decision = cls(decision_id)
        decision._record(
            "reward.granted",
            tenant=tenant,
            evaluation_id=evaluation.evaluation_id,
            revision=evaluation.revision,
            nip=evaluation.nip,
            employee_name=evaluation.employee_name,
            period_year=evaluation.period_year,
            predikat=evaluation.predikat.value,
            incentive_percentage=consequences.incentive_percentage,
            awards=consequences.awards,
            promotion_eligible=consequences.promotion_eligible,
            previous_predikat=_previous(consequences),
            policy_version=policy.version,
            replaces=replaces,
            consequences=consequences.as_facts(),
        )
        return decision

    def integration_payload(self) -> dict[str, Any]:
        """The `reward.granted` contract payload."""
        f = self.facts
        return {
            "decision_id": self.id,
            **self._base_facts(),
            **{k: f[k] for k in ("incentive_percentage", "awards", "promotion_eligible")},
            "unit_id": self.consequences["unit_id"],
            "replaces": f.get("replaces"),
        }

    @property
    def state(self) -> str:
        return "revoked" if self.revoked else "granted"

    def details(self) -> dict[str, Any]:
        return {
            **self.common_details(),
            "state": self.state,
            "awards": list(self.facts["awards"]),
            "previous_predikat": self.facts["previous_predikat"],
        }

    def _on_reward_granted(self, data: dict[str, Any]) -> None:
        self.tenant = data["tenant"]
        self.facts = dict(data)


def _previous(consequences: Consequences) -> str | None:
    years = consequences.promotion_years
    return years[1]["predikat"] if len(years) > 1 else None


class CoachingState(StrEnum):
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    COMPETENCY_TEST = "competency_test"
    CLOSED = "closed"
    REVOKED = "revoked"


class IllegalTransition(DomainError):
    def __init__(self, coaching_id: str, state: CoachingState | None, action_id: str, action_en: str) -> None:
        current = state.value if state else "-"
        super().__init__(
            "illegal_transition",
            f"Pembinaan '{coaching_id}' berstatus '{current}': tidak dapat {action_id}.",
            f"Coaching '{coaching_id}' is '{current}': cannot {action_en}.",
        )
        self.state = current


class Coaching(_Decision):
    """Pembinaan of an under-performer: an improvement plan with the atasan as coach."""

    aggregate_type = "coaching"
    kind = "coaching"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.state: CoachingState | None = None
        self.check_ins: list[dict[str, Any]] = []
        self.outcome: dict[str, Any] | None = None
        self.competency_test: dict[str, Any] | None = None
        self.coach_changes: list[dict[str, Any]] = []

    @classmethod
    def assign(
        cls,
        *,
        decision_id: str,
        tenant: str,
        evaluation: EvaluationResult,
        policy: Policy,
        consequences: Consequences,
        today: date,
        replaces: str | None = None,
    ) -> Coaching:
        coaching = cls(decision_id)
        coaching._record(
            "coaching.assigned",
            tenant=tenant,
            evaluation_id=evaluation.evaluation_id,
            revision=evaluation.revision,
            nip=evaluation.nip,
            employee_name=evaluation.employee_name,
            coach_nip=consequences.coach_nip or evaluation.atasan_nip,
            coach_name=consequences.coach_name if consequences.coach_nip else evaluation.atasan_name,
            period_year=evaluation.period_year,
            predikat=evaluation.predikat.value,
            incentive_percentage=consequences.incentive_percentage,
            duration_months=policy.coaching_duration_months,
            starts_on=today.isoformat(),
            ends_on=add_months(today, policy.coaching_duration_months).isoformat(),
            goals=coaching_goals(evaluation.breakdown, policy.coaching_goal_count, evaluation.weaknesses),
            policy_version=policy.version,
            replaces=replaces,
            consequences=consequences.as_facts(),
        )
        return coaching

    # --- the pembinaan path -------------------------------------------------------------

    def _require(self, allowed: set[CoachingState], action_id: str, action_en: str) -> None:
        if self.state not in allowed:
            raise IllegalTransition(self.id, self.state, action_id, action_en)

    def record_check_in(self, *, held_on: date, progress: str, notes: str, recorded_by: str) -> None:
        self._require(
            {CoachingState.ASSIGNED, CoachingState.IN_PROGRESS}, "mencatat pertemuan pembinaan", "record a check-in"
        )
        if held_on < date.fromisoformat(self.facts["starts_on"]):
            raise DomainError(
                "check_in_before_start",
                "Tanggal pertemuan tidak boleh sebelum rencana pembinaan dimulai.",
                "A check-in cannot be dated before the improvement plan started.",
                field="held_on",
            )
        self._record(
            "coaching.check_in_recorded",
            check_in_number=len(self.check_ins) + 1,
            held_on=held_on.isoformat(),
            progress=progress,
            notes=notes,
            recorded_by=recorded_by,
        )

    def change_coach(self, *, coach_nip: str, coach_name: str | None) -> bool:
        """The atasan changed while the plan is open: the new atasan coaches. False when nothing changes."""
        open_states = {CoachingState.ASSIGNED, CoachingState.IN_PROGRESS}
        if self.state not in open_states or coach_nip == self.facts["coach_nip"]:
            return False
        self._record(
            "coaching.coach_changed",
            coach_nip=coach_nip,
            coach_name=coach_name,
            previous_coach_nip=self.facts["coach_nip"],
        )
        return True

    def close(self, *, outcome: str, summary: str, closed_by: str) -> None:
        """End the improvement plan; at least one check-in first (a plan without a meeting was not coached)."""
        self._require(
            {CoachingState.IN_PROGRESS}, "menutup pembinaan sebelum ada pertemuan", "close it before a check-in"
        )
        self._record(
            "coaching.closed",
            outcome=outcome,
            next_step="competency_test" if outcome == "not_improved" else "none",
            summary=summary,
            check_ins=len(self.check_ins),
            closed_by=closed_by,
        )

    def record_competency_test(self, *, result: str, reassigned_to: str | None, notes: str, recorded_by: str) -> None:
        self._require({CoachingState.COMPETENCY_TEST}, "mencatat uji kompetensi", "record a competency test")
        if result == "not_competent" and not reassigned_to:
            raise DomainError(
                "reassignment_required",
                "Hasil uji kompetensi tidak memenuhi: sebutkan jabatan penempatan yang baru.",
                "Not competent: name the position the employee is reassigned to.",
                field="reassigned_to",
            )
        self._record(
            "coaching.competency_tested",
            result=result,
            reassigned_to=reassigned_to if result == "not_competent" else None,
            notes=notes,
            recorded_by=recorded_by,
        )

    def revoke(self, *, reason: str, reason_text: str, replaced_by: str | None) -> None:
        if self.state == CoachingState.REVOKED:
            raise DecisionRevoked(self.id)
        super().revoke(reason=reason, reason_text=reason_text, replaced_by=replaced_by)

    # --- contract payloads --------------------------------------------------------------

    def _person(self) -> dict[str, Any]:
        f = self.facts
        return {"coaching_id": self.id, **{k: f[k] for k in ("nip", "employee_name", "period_year")}}

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
                    "ends_on",
                )
            },
            "replaces": f.get("replaces"),
        }

    def check_in_payload(self) -> dict[str, Any]:
        return {**self._person(), "coach_nip": self.facts["coach_nip"], **self.check_ins[-1]}

    def closed_payload(self) -> dict[str, Any]:
        assert self.outcome is not None
        return {
            **self._person(),
            "coach_nip": self.facts["coach_nip"],
            "policy_version": self.facts["policy_version"],
            **self.outcome,
        }

    def coach_changed_payload(self) -> dict[str, Any]:
        return {**self._person(), **self.coach_changes[-1]}

    def competency_tested_payload(self) -> dict[str, Any]:
        assert self.competency_test is not None
        return {**self._person(), **self.competency_test}

    def details(self) -> dict[str, Any]:
        f = self.facts
        return {
            **self.common_details(),
            "state": self.state.value if self.state else None,
            "coach_nip": f["coach_nip"],
            "coach_name": f.get("coach_name"),
            "duration_months": f["duration_months"],
            "starts_on": f.get("starts_on"),
            "ends_on": f.get("ends_on"),
            "goals": list(f["goals"]),
            "check_ins": list(self.check_ins),
            "outcome": self.outcome,
            "competency_test": self.competency_test,
            "coach_changes": list(self.coach_changes),
        }

    # --- state from events ----------------------------------------------------------------

    def _on_coaching_assigned(self, data: dict[str, Any]) -> None:
        self.tenant = data["tenant"]
        self.facts = {"coach_name": None, "starts_on": None, "ends_on": None, **data}
        self.state = CoachingState.ASSIGNED

    def _on_coaching_check_in_recorded(self, data: dict[str, Any]) -> None:
        self.check_ins.append(dict(data))
        self.state = CoachingState.IN_PROGRESS

    def _on_coaching_coach_changed(self, data: dict[str, Any]) -> None:
        self.facts = {**self.facts, "coach_nip": data["coach_nip"], "coach_name": data["coach_name"]}
        self.coach_changes.append(dict(data))

    def _on_coaching_closed(self, data: dict[str, Any]) -> None:
        self.outcome = dict(data)
        improved = data["outcome"] == "improved"
        self.state = CoachingState.CLOSED if improved else CoachingState.COMPETENCY_TEST

    def _on_coaching_competency_tested(self, data: dict[str, Any]) -> None:
        self.competency_test = dict(data)
        self.state = CoachingState.CLOSED

    def _on_decision_revoked(self, data: dict[str, Any]) -> None:
        super()._on_decision_revoked(data)
        self.state = CoachingState.REVOKED


Decision = RewardDecision | Coaching


def decide(
    *,
    decision_id_of: Any,
    tenant: str,
    evaluation: EvaluationResult,
    policy: Policy,
    consequences: Consequences,
    today: date,
    replaces: str | None = None,
) -> Decision | None:
    """The consequence of one evaluation result, or None when it has none (quarterly results).

    `decision_id_of(kind)` names the new decision (the caller knows its generation).
    """
    if not evaluation.is_annual:
        return None
    if evaluation.predikat in COACHED:
        return Coaching.assign(
            decision_id=decision_id_of("coaching"),
            tenant=tenant,
            evaluation=evaluation,
            policy=policy,
            consequences=consequences,
            today=today,
            replaces=replaces,
        )
    return RewardDecision.grant(
        decision_id=decision_id_of("reward"),
        tenant=tenant,
        evaluation=evaluation,
        policy=policy,
        consequences=consequences,
        replaces=replaces,
    )
