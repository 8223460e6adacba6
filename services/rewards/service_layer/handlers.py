"""Rewards' handlers: the evaluation and organisation consumers, the pembinaan commands, the
operator's re-run, policy publication, budgets, and the read-side queries.

Consumers run inside the consumer's transaction (it commits); commands open their own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from services.rewards.adapters import budgets, decisions_view, employees, evaluation_history, ledger, policy_store
from services.rewards.adapters.policies import PolicyBook, policy_document
from services.rewards.domain import follow_up
from services.rewards.domain.decisions import (
    Coaching,
    Decision,
    EvaluationResult,
    RewardDecision,
    decide,
    decision_id_for,
)
from services.rewards.domain.policy import Policy, policy_in_effect, policy_on
from services.rewards.domain.rules import Allocation, Catalogue, allocate
from shared.auth import Principal, Role
from shared.errors import DomainError, Forbidden, NotFound
from shared.events import Envelope
from shared.messaging.consumer import Handler
from shared.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

ACTOR = "rewards"  # decisions are taken by the service, not by a person


def _today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class RewardsConfig:
    """Configuration read when the process starts: packaged policies and the training catalogue."""

    policies: PolicyBook
    catalogue: Catalogue
    today: Callable[[], date] = field(default=_today)


# --- deciding -----------------------------------------------------------------------------


def _policies(uow: UnitOfWork, config: RewardsConfig, tenant: str) -> list[Policy]:
    return policy_store.versions_for(uow.session, config.policies, tenant)


def _load_decision(uow: UnitOfWork, decision_id: str) -> Decision | None:
    cls = Coaching if decision_id.startswith("coaching-") else RewardDecision
    return uow.events.get(cls, decision_id)


def _save(uow: UnitOfWork, decision: Decision, actor: str = ACTOR) -> None:
    new = decision.persisted_version == 0
    uow.events.save(decision, tenant=decision.tenant, actor=actor)
    decisions_view.add(uow.session, decision, new=new)


def _publish(uow: UnitOfWork, decision: Decision, event_type: str, payload: dict[str, Any]) -> None:
    uow.publish(
        event_type, payload, tenant=decision.tenant, aggregate_id=decision.id, aggregate_version=decision.version
    )


def _allocation_of(uow: UnitOfWork, config: RewardsConfig, decision: Decision) -> tuple[float | None, str]:
    """The decision's incentive as its unit's budget stands now (see `incentive_register`).

    Only the decision's own unit is read: at year-end every decision of a city arrives within
    hours, and the whole instansi's register per decision would grow quadratically.
    """
    consequences = decision.consequences
    if consequences["gross_amount"] is None:
        return None, "no_amount"
    if consequences["unit_id"] is None:  # budgets are per unit: no unit known, no budget applies
        return consequences["gross_amount"], "no_budget"
    tenant, period_year, unit_id = decision.tenant, decision.facts["period_year"], consequences["unit_id"]
    # The same allocation as the unit's row of `incentive_register`, from the unit's claims only.
    claims = decisions_view.unit_claims(uow.session, tenant, period_year, unit_id)
    _, allocations = _allocate_in_unit(uow, config, tenant, period_year, unit_id, [gross for _, gross in claims])
    for (decision_id, _), allocation in zip(claims, allocations, strict=True):
        if decision_id == decision.id:
            return allocation.payable, allocation.status
    return None, "no_amount"


def _allocate_in_unit(
    uow: UnitOfWork, config: RewardsConfig, tenant: str, period_year: int, unit_id: str, grosses: list[float | None]
) -> tuple[float | None, list[Allocation]]:
    """A unit's claims (gross amounts, in decision order) against its budget (None: no unit, no
    budget) under the budget behaviour of the policy in force: (budget, allocation per claim)."""
    policy = policy_in_effect(_policies(uow, config, tenant), period_year)
    budget = budgets.of_period(uow.session, tenant, period_year).get(unit_id, {}).get("amount") if unit_id else None
    return budget, allocate(grosses, budget, policy.budget_behaviour.value)


def _take_decision(
    uow: UnitOfWork,
    config: RewardsConfig,
    tenant: str,
    evaluation: EvaluationResult,
    policy: Policy,
    *,
    entry: dict[str, Any] | None,
    reason: str,
    reason_text: str,
) -> Decision | None:
    """Decide on an annual result; when `entry` names an earlier decision, revoke it in favour of the new one."""
    session = uow.session
    employee = employees.find_employee(session, tenant, evaluation.nip)
    weak_iki = [w["ref"] for w in evaluation.weaknesses if w["kind"] == "iki"]
    consequences = follow_up.compute(
        evaluation=evaluation,
        policy=policy,
        employee=employee,
        annual_predikat=lambda year: evaluation_history.annual_predikat(session, tenant, evaluation.nip, year),
        catalogue=config.catalogue,
        iki_aspects=employees.aspects_of(session, tenant, weak_iki),
    )
    generation = entry["generation"] + 1 if entry else 1
    old = _load_decision(uow, entry["decision_id"]) if entry else None
    new = decide(
        decision_id_of=lambda kind: decision_id_for(kind, evaluation.evaluation_id, generation),
        tenant=tenant,
        evaluation=evaluation,
        policy=policy,
        consequences=consequences,
        today=config.today(),
        replaces=old.id if old else None,
    )
    if new is None:
        return None
    if old is not None and old.revoked is None:
        old.revoke(reason=reason, reason_text=reason_text, replaced_by=new.id)
        _save(uow, old)
        _publish(uow, old, "reward.revoked", old.revoked_payload())
    _save(uow, new)
    if isinstance(new, RewardDecision):
        _publish(uow, new, "reward.granted", new.integration_payload())
    else:
        _publish(uow, new, "coaching.assigned", new.integration_payload())
    payable, status = _allocation_of(uow, config, new)
    _publish(uow, new, "incentive.calculated", new.incentive_payload(payable, status))
    _publish(uow, new, "promotion_eligibility.determined", new.promotion_payload())
    if (points := new.credit_points_payload()) is not None:
        _publish(uow, new, "credit_points.converted", points)
    if (training := new.training_payload()) is not None:
        _publish(uow, new, "training.recommended", training)
    _redetermine_next_year(uow, tenant, evaluation.nip, evaluation.period_year + 1)
    ledger.put(
        session,
        {
            "tenant": tenant,
            "nip": evaluation.nip,
            "period_year": evaluation.period_year,
            "evaluation_id": evaluation.evaluation_id,
            "revision": evaluation.revision,
            "generation": generation,
            "decision_id": new.id,
            "policy_version": policy.version,
            "evaluation": _as_payload(evaluation),
        },
    )
    return new


def _redetermine_next_year(uow: UnitOfWork, tenant: str, nip: str, year: int) -> None:
    """A (revised) result of one year counts for the next year's promotion eligibility: if that year is
    already decided, look again and publish `promotion_eligibility.determined` when the answer changed."""
    entry = ledger.find(uow.session, tenant, nip, year)
    if entry is None:
        return
    decision = _load_decision(uow, entry["decision_id"])

    def annual(y: int) -> str | None:
        found = evaluation_history.annual_predikat(uow.session, tenant, nip, y)
        return found.value if found else None

    if decision is not None and decision.redetermine_promotion(annual):
        _save(uow, decision)
        _publish(uow, decision, "promotion_eligibility.determined", decision.promotion_payload())


def _as_payload(evaluation: EvaluationResult) -> dict[str, Any]:
    return {
        "evaluation_id": evaluation.evaluation_id,
        "nip": evaluation.nip,
        "employee_name": evaluation.employee_name,
        "atasan_nip": evaluation.atasan_nip,
        "atasan_name": evaluation.atasan_name,
        "unit": evaluation.unit,
        "period_year": evaluation.period_year,
        "period": evaluation.period,
        "predikat": evaluation.predikat.value,
        "breakdown": evaluation.breakdown,
        "strengths": evaluation.strengths,
        "weaknesses": evaluation.weaknesses,
        "revision": evaluation.revision,
        "revision_reason": evaluation.revision_reason,
    }


def decide_on_evaluation(
    uow: UnitOfWork, config: RewardsConfig, tenant: str, evaluation: EvaluationResult, *, revised: bool = False
) -> None:
    """Record the result and, for an annual one, take its decision exactly once per revision.

    - completed, period already decided: nothing (a redelivery or a re-publication);
    - revised with a revision not newer than the one decided on: nothing (duplicate or stale);
    - revised and newer: the earlier decision is revoked and a new one replaces it.
    """
    session = uow.session
    if not evaluation.is_annual:
        evaluation_history.record(session, tenant, evaluation)
        return
    entry = ledger.find(session, tenant, evaluation.nip, evaluation.period_year)
    if entry is not None and (not revised or evaluation.revision <= entry["revision"]):
        log.info("rewards: %s (revision %s) already decided", evaluation.evaluation_id, evaluation.revision)
        return
    evaluation_history.record(session, tenant, evaluation)
    policy = policy_in_effect(_policies(uow, config, tenant), evaluation.period_year)
    _take_decision(
        uow,
        config,
        tenant,
        evaluation,
        policy,
        entry=entry,
        reason="evaluation_revised",
        reason_text=evaluation.revision_reason,
    )


def prefetch_for_decisions(uow: UnitOfWork, envelopes: list[Envelope]) -> None:
    """A consumer batch's reads up front: the employees, their ledger entries (the year and the next,
    which a revised result re-determines) and the annual predikat promotion eligibility looks back
    on, the aspects of the IKI named as weaknesses, and the incentive claims of their units — a few
    queries per instansi instead of several per evaluation."""
    wanted: dict[str, tuple[set[str], set[int], set[str]]] = {}
    for envelope in envelopes:
        nips, years, weak_iki = wanted.setdefault(envelope.tenant, (set(), set(), set()))
        nips.add(envelope.payload["nip"])
        years.add(int(envelope.payload["period_year"]))
        weak_iki.update(w["ref"] for w in envelope.payload.get("weaknesses") or () if w.get("kind") == "iki")
    for tenant, (nips, years, weak_iki) in wanted.items():
        employees.prime(uow.session, tenant, nips)
        employees.prime_aspects(uow.session, tenant, weak_iki)
        ledger.prime(uow.session, tenant, nips, years | {y + 1 for y in years})
        around = {y + d for y in years for d in range(-HISTORY_YEARS, 2)}
        evaluation_history.prime_annual(uow.session, tenant, nips, around)
        units = employees.units_of(uow.session, tenant, nips)
        for year in years:
            decisions_view.prime_unit_claims(uow.session, tenant, year, units)


HISTORY_YEARS = 3  # promotion eligibility looks back two years; one more for a re-determination


def evaluation_completed_handler(config: RewardsConfig) -> Handler:
    def on_evaluation_completed(uow: UnitOfWork, envelope: Envelope) -> None:
        decide_on_evaluation(uow, config, envelope.tenant, EvaluationResult.from_payload(envelope.payload))

    on_evaluation_completed.prefetch = prefetch_for_decisions  # type: ignore[attr-defined]
    return on_evaluation_completed


def evaluation_revised_handler(config: RewardsConfig) -> Handler:
    def on_evaluation_revised(uow: UnitOfWork, envelope: Envelope) -> None:
        result = EvaluationResult.from_payload(envelope.payload)
        decide_on_evaluation(uow, config, envelope.tenant, result, revised=True)

    on_evaluation_revised.prefetch = prefetch_for_decisions  # type: ignore[attr-defined]
    return on_evaluation_revised


def on_employee_event(uow: UnitOfWork, envelope: Envelope) -> None:
    """Keep the employee copy; a new atasan takes over the employee's open improvement plans."""
    record, tenant = envelope.payload, envelope.tenant
    employees.upsert_employee(uow.session, tenant, record)
    if not record.get("atasan_nip"):
        return
    for entry in ledger.of_employee(uow.session, tenant, record["nip"]):
        if not entry["decision_id"].startswith("coaching-"):
            continue
        coaching = uow.events.get(Coaching, entry["decision_id"])
        if coaching and coaching.change_coach(coach_nip=record["atasan_nip"], coach_name=record.get("atasan_name")):
            _save(uow, coaching)
            _publish(uow, coaching, "coaching.coach_changed", coaching.coach_changed_payload())


def on_plan_event(uow: UnitOfWork, envelope: Envelope) -> None:
    employees.record_plan_aspects(uow.session, envelope.tenant, envelope.payload)


# --- operator: re-run a period under the policy now in effect -----------------------------


def rerun_period(uow: UnitOfWork, config: RewardsConfig, principal: Principal, period_year: int) -> dict[str, Any]:
    """Re-decide every annual result of the period whose decision came from another policy version.

    Explicit (an admin's command), never automatic: publishing a policy does not touch past decisions.
    """
    with uow:
        policy = policy_in_effect(_policies(uow, config, principal.tenant), period_year)
        redecided, unchanged = [], 0
        for entry in ledger.of_period(uow.session, principal.tenant, period_year):
            if entry["policy_version"] == policy.version:
                unchanged += 1
                continue
            evaluation = EvaluationResult.from_payload(entry["evaluation"])
            new = _take_decision(
                uow,
                config,
                principal.tenant,
                evaluation,
                policy,
                entry=entry,
                reason="policy_rerun",
                reason_text=f"Dijalankan ulang dengan kebijakan {policy.version} oleh {principal.nip}.",
            )
            if new is not None:
                redecided.append(new.id)
        uow.commit()
    return {
        "period_year": period_year,
        "policy_version": policy.version,
        "redecided": redecided,
        "unchanged": unchanged,
    }


# --- pembinaan commands -------------------------------------------------------------------


def _coaching(uow: UnitOfWork, principal: Principal, coaching_id: str) -> Coaching:
    coaching = uow.events.get(Coaching, coaching_id) if coaching_id.startswith("coaching-") else None
    if coaching is None or coaching.tenant != principal.tenant:
        raise NotFound("Pembinaan", "Coaching", coaching_id)
    return coaching


def _only_the_coach(principal: Principal, coaching: Coaching) -> None:
    if principal.nip != coaching.facts["coach_nip"]:
        raise Forbidden(
            "Hanya pembina (atasan) yang dapat mencatat langkah pembinaan ini.",
            "Only the coach (the atasan) may record this step of the coaching.",
        )


def record_check_in(
    uow: UnitOfWork, principal: Principal, coaching_id: str, *, held_on: date, progress: str, notes: str
) -> dict[str, Any]:
    if held_on > _today():
        raise DomainError(
            "check_in_in_future",
            "Pertemuan pembinaan dicatat setelah terjadi, bukan sebelumnya.",
            "A check-in is recorded after it took place, not before.",
            field="held_on",
        )
    with uow:
        coaching = _coaching(uow, principal, coaching_id)
        _only_the_coach(principal, coaching)
        coaching.record_check_in(held_on=held_on, progress=progress, notes=notes, recorded_by=principal.nip)
        _save(uow, coaching, actor=principal.nip)
        _publish(uow, coaching, "coaching.check_in_recorded", coaching.check_in_payload())
        uow.commit()
    return _view(uow, coaching_id)


def close_coaching(
    uow: UnitOfWork, principal: Principal, coaching_id: str, *, outcome: str, summary: str
) -> dict[str, Any]:
    with uow:
        coaching = _coaching(uow, principal, coaching_id)
        _only_the_coach(principal, coaching)
        coaching.close(outcome=outcome, summary=summary, closed_by=principal.nip)
        _save(uow, coaching, actor=principal.nip)
        _publish(uow, coaching, "coaching.closed", coaching.closed_payload())
        uow.commit()
    return _view(uow, coaching_id)


def record_competency_test(
    uow: UnitOfWork, principal: Principal, coaching_id: str, *, result: str, reassigned_to: str | None, notes: str
) -> dict[str, Any]:
    """The instansi's HR records the competency test and any reassignment (PP 30/2019 art. 57)."""
    with uow:
        coaching = _coaching(uow, principal, coaching_id)
        coaching.record_competency_test(
            result=result, reassigned_to=reassigned_to, notes=notes, recorded_by=principal.nip
        )
        _save(uow, coaching, actor=principal.nip)
        _publish(uow, coaching, "coaching.competency_tested", coaching.competency_tested_payload())
        uow.commit()
    return _view(uow, coaching_id)


def _view(uow: UnitOfWork, decision_id: str) -> dict[str, Any]:
    with uow:
        found = decisions_view.find(uow.session, decision_id)
    assert found is not None
    return found


# --- policies -----------------------------------------------------------------------------


class PolicyVersionTaken(DomainError):
    def __init__(self, version: str) -> None:
        super().__init__(
            "policy_version_exists",
            f"Versi kebijakan '{version}' sudah ada; versi tidak dapat diubah — terbitkan versi baru.",
            f"Policy version '{version}' exists; versions are never edited — publish a new one.",
            field="version",
        )


def policy_versions(uow: UnitOfWork, config: RewardsConfig, tenant: str) -> list[dict[str, Any]]:
    with uow:
        published = policy_store.published(uow.session, tenant)
    today = config.today()
    versions = [*config.policies.packaged_versions(tenant), *(p for p, _ in published)]
    current = policy_on(versions, today).version
    meta = {p.version: m for p, m in published}
    return [policy_view(p) | meta.get(p.version, {}) | {"in_force": p.version == current} for p in versions]


def current_policy(uow: UnitOfWork, config: RewardsConfig, tenant: str) -> dict[str, Any]:
    with uow:
        versions = _policies(uow, config, tenant)
    return policy_view(policy_on(versions, config.today()))


def publish_policy(uow: UnitOfWork, config: RewardsConfig, principal: Principal, policy: Policy) -> dict[str, Any]:
    document = policy_document(policy)
    with uow:
        taken = {p.version for p in _policies(uow, config, principal.tenant)}
        if policy.version in taken:
            raise PolicyVersionTaken(policy.version)
        policy_store.add(uow.session, principal.tenant, document, principal.nip)
        uow.commit()
    return policy_view(policy)


def policy_view(policy: Policy) -> dict[str, Any]:
    return {
        **policy_document(policy),
        "effective_from": policy.effective_from,
        "source": "default" if policy.tenant is None else ("tenant" if policy.source == "packaged" else "published"),
    }


# --- budgets and the incentive register ---------------------------------------------------


def set_budget(uow: UnitOfWork, principal: Principal, unit_id: str, period_year: int, amount: float) -> dict[str, Any]:
    with uow:
        budgets.set_budget(uow.session, principal.tenant, unit_id, period_year, amount, principal.nip)
        uow.commit()
    return {"unit_id": unit_id, "period_year": period_year, "amount": amount}


def incentive_register(
    uow: UnitOfWork, config: RewardsConfig, tenant: str, period_year: int, unit_id: str | None = None
) -> dict[str, Any]:
    """The period's incentives per unit (or of one unit): gross claims, the budget, and what is payable
    under the budget behaviour of the policy in force for the period. Runs in the caller's transaction."""
    policy = policy_in_effect(_policies(uow, config, tenant), period_year)
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for row in decisions_view.register_rows(uow.session, tenant, period_year, unit_id):
        by_unit.setdefault(row["unit_id"] or "", []).append(row)
    rows, units = [], []
    for unit_id, claims in sorted(by_unit.items()):
        grosses = [c["gross_amount"] for c in claims]
        budget, allocations = _allocate_in_unit(uow, config, tenant, period_year, unit_id, grosses)
        for claim, allocation in zip(claims, allocations, strict=True):
            details = claim["details"]
            rows.append(
                {
                    "decision_id": claim["decision_id"],
                    "nip": claim["nip"],
                    "employee_name": claim["employee_name"],
                    "unit_id": claim["unit_id"],
                    "unit_name": claim["unit_name"],
                    "period_year": claim["period_year"],
                    "predikat": claim["predikat"],
                    "incentive_percentage": claim["incentive_percentage"],
                    "base_amount": details.get("base_amount"),
                    "gross_amount": claim["gross_amount"],
                    "payable_amount": allocation.payable,
                    "budget_status": allocation.status,
                    "policy_version": claim["policy_version"],
                }
            )
        gross = sum(c["gross_amount"] or 0 for c in claims)
        payable = sum(a.payable or 0 for a in allocations)
        units.append(
            {
                "unit_id": unit_id or None,
                "unit_name": claims[0]["unit_name"],
                "budget": budget,
                "claims": len(claims),
                "gross_total": gross,
                "payable_total": payable,
            }
        )
    return {
        "period_year": period_year,
        "budget_behaviour": policy.budget_behaviour.value,
        "policy_version": policy.version,
        "units": units,
        "rows": rows,
    }


def read_register(uow: UnitOfWork, config: RewardsConfig, principal: Principal, period_year: int) -> dict[str, Any]:
    with uow:
        return incentive_register(uow, config, principal.tenant, period_year)


# --- queries ------------------------------------------------------------------------------


def sees_everyone(principal: Principal) -> bool:
    return principal.has(Role.ADMIN, Role.AGENCY)


def may_read(uow: UnitOfWork, principal: Principal, decision: dict[str, Any]) -> bool:
    """Own; the coach's coachings; an atasan's subordinates'; the admin and agencies the whole instansi."""
    if sees_everyone(principal) or principal.nip == decision["nip"]:
        return True
    if decision["kind"] == "coaching" and decision["details"].get("coach_nip") == principal.nip:
        return True
    if principal.has(Role.ATASAN):
        with uow:
            return decision["nip"] in employees.subordinates(uow.session, principal.tenant, principal.nip)
    return False


def get_decision(uow: UnitOfWork, principal: Principal, decision_id: str) -> dict[str, Any]:
    with uow:
        view = decisions_view.find(uow.session, decision_id)
    if view is None or view["tenant"] != principal.tenant:  # another instansi's decision does not exist for you
        raise NotFound("Keputusan", "Decision", decision_id)
    if not may_read(uow, principal, view):
        raise Forbidden(
            "Hanya pegawai yang bersangkutan, atasan/pembinanya, atau admin instansi yang dapat melihat keputusan ini.",
            "Only the employee, their atasan or coach, or the instansi admin may read this decision.",
        )
    return view


STEP_FIELDS = (
    "reason",
    "reason_text",
    "replaced_by",
    "progress",
    "held_on",
    "outcome",
    "next_step",
    "result",
    "reassigned_to",
    "coach_nip",
    "previous_coach_nip",
    "promotion_eligible",
)


def decision_history(uow: UnitOfWork, principal: Principal, decision_id: str) -> list[dict[str, Any]]:
    """The decision's steps, oldest first, for whoever may read the decision."""
    get_decision(uow, principal, decision_id)
    with uow:
        steps = decisions_view.history(uow.session, decision_id)
    return [
        {
            "version": step["version"],
            "event_type": step["event_type"],
            "occurred_at": step["occurred_at"],
            "actor": step["actor"],
            "facts": {k: step["data"][k] for k in STEP_FIELDS if k in step["data"]},
        }
        for step in steps
    ]


def list_decisions(uow: UnitOfWork, principal: Principal, **filters: Any) -> list[dict[str, Any]]:
    """Admins and agencies: anyone in the instansi. Others: their own, plus (atasan) their subordinates'
    and the coachings they coach. Asking for someone else's NIP outside that is 403."""
    with uow:
        if sees_everyone(principal):
            return decisions_view.search(uow.session, principal.tenant, **filters)
        visible = {principal.nip}
        if principal.has(Role.ATASAN):
            visible |= employees.subordinates(uow.session, principal.tenant, principal.nip)
            coached = decisions_view.search(uow.session, principal.tenant, kind="coaching", limit=10_000)
            visible |= {d["nip"] for d in coached if d["details"].get("coach_nip") == principal.nip}
        nip = filters.get("nip")
        if nip and nip not in visible:
            raise Forbidden(
                "Anda hanya dapat melihat keputusan Anda sendiri atau bawahan Anda.",
                "You may only list your own decisions or your subordinates'.",
            )
        if not nip and not principal.has(Role.ATASAN):
            filters["nip"] = principal.nip
        return decisions_view.search(uow.session, principal.tenant, nips=None if nip else visible, **filters)
