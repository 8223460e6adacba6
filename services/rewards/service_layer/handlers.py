"""Rewards' handlers: the `evaluation.completed` consumer and the read-side queries."""

from __future__ import annotations

from typing import Any

from services.rewards.adapters import decisions_view, evaluation_history
from services.rewards.adapters.policies import PolicyBook
from services.rewards.domain.decisions import (
    EvaluationResult,
    RewardDecision,
    coaching_id_for,
    decide,
    reward_id_for,
)
from services.rewards.domain.policy import Policy
from shared.auth import Principal
from shared.errors import NotFound
from shared.events import Envelope
from shared.messaging.consumer import Handler
from shared.storage.unit_of_work import UnitOfWork

ACTOR = "rewards"  # decisions are taken by the service, not by a person


def _already_decided(uow: UnitOfWork, evaluation_id: str) -> bool:
    return bool(uow.events.load(reward_id_for(evaluation_id)) or uow.events.load(coaching_id_for(evaluation_id)))


def decide_on_evaluation(uow: UnitOfWork, policies: PolicyBook, tenant: str, evaluation: EvaluationResult) -> None:
    """Record the result in the history and, for an annual one, take the decision exactly once.

    Runs inside the caller's transaction (the consumer opens and commits it).
    """
    evaluation_history.record(uow.session, tenant, evaluation)
    if not evaluation.is_annual or _already_decided(uow, evaluation.evaluation_id):
        return
    previous = evaluation_history.annual_predikat(uow.session, tenant, evaluation.nip, evaluation.period_year - 1)
    decision = decide(
        tenant=tenant, evaluation=evaluation, policy=policies.for_tenant(tenant), previous_predikat=previous
    )
    if decision is None:
        return
    uow.events.save(decision, tenant=tenant, actor=ACTOR)
    decisions_view.add(uow.session, decision)
    event_type = "reward.granted" if isinstance(decision, RewardDecision) else "coaching.assigned"
    uow.publish(
        event_type,
        decision.integration_payload(),
        tenant=tenant,
        aggregate_id=decision.id,
        aggregate_version=decision.version,
    )


def evaluation_completed_handler(policies: PolicyBook) -> Handler:
    def on_evaluation_completed(uow: UnitOfWork, envelope: Envelope) -> None:
        decide_on_evaluation(uow, policies, envelope.tenant, EvaluationResult.from_payload(envelope.payload))

    return on_evaluation_completed


# --- queries ------------------------------------------------------------------------------


def get_decision(uow: UnitOfWork, principal: Principal, decision_id: str) -> dict[str, Any]:
    with uow:
        view = decisions_view.find(uow.session, decision_id)
    if view is None or view["tenant"] != principal.tenant:  # another instansi's decision does not exist for you
        raise NotFound("Keputusan", "Decision", decision_id)
    return view


def list_decisions(uow: UnitOfWork, principal: Principal, **filters: Any) -> list[dict[str, Any]]:
    with uow:
        return decisions_view.search(uow.session, principal.tenant, **filters)


def policy_view(policy: Policy) -> dict[str, Any]:
    return {
        "version": policy.version,
        "effective_from": policy.effective_from,
        "description": policy.description,
        "source": "tenant" if policy.tenant else "default",
        "incentive_percentage": {k.value: v for k, v in policy.incentive_percentage.items()},
        "awards": {k.value: list(v) for k, v in policy.awards.items()},
        "coaching": {
            "duration_months": policy.coaching_duration_months,
            "goal_count": policy.coaching_goal_count,
        },
    }
