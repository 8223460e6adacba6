"""What an annual result leads to under one policy version — computed once, when the decision is taken.

Pure: the caller hands in what rewards knows (its employee projection, the annual history, the
IKI aspects from the approved plans, the training catalogue).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from services.rewards.domain.decisions import Consequences, EvaluationResult
from services.rewards.domain.policy import Policy
from services.rewards.domain.rules import (
    COACHED,
    Catalogue,
    credit_points,
    general_courses,
    promotion_years_met,
    recommend_courses,
)
from shared.contracts.vocabulary import Predikat

PRIORITY_TRAINING_AWARD = "prioritas_pelatihan"


@dataclass(frozen=True)
class EmployeeRecord:
    """Rewards' copy of the employee, from the organisation events."""

    nip: str
    name: str
    unit_id: str | None
    unit_name: str | None
    position_kind: str | None
    position_grade: str | None
    atasan_nip: str | None
    atasan_name: str | None


def compute(
    *,
    evaluation: EvaluationResult,
    policy: Policy,
    employee: EmployeeRecord | None,
    annual_predikat: Callable[[int], Predikat | None],
    catalogue: Catalogue,
    iki_aspects: Mapping[str, str],
) -> Consequences:
    predikat = evaluation.predikat
    percentage = policy.incentive_for(predikat)
    base = policy.base_amount_for(employee.position_kind if employee else None)
    years = [
        {
            "period_year": year,
            "predikat": predikat.value if year == evaluation.period_year else _value(annual_predikat(year)),
        }
        for year in range(evaluation.period_year, evaluation.period_year - policy.promotion_years, -1)
    ]
    eligible = promotion_years_met(
        [Predikat(y["predikat"]) if y["predikat"] else None for y in years], policy.promotion_minimum
    )
    awards = [] if predikat in COACHED else policy.awards_for(predikat)
    coach_nip = employee.atasan_nip if employee and employee.atasan_nip else None
    return Consequences(
        unit_id=employee.unit_id if employee else None,
        unit_name=(employee.unit_name if employee and employee.unit_name else evaluation.unit),
        incentive_percentage=percentage,
        base_amount=base,
        gross_amount=None if base is None else round(base * percentage / 100, 2),
        awards=awards,
        promotion_eligible=eligible,
        promotion_years=years,
        promotion_minimum=policy.promotion_minimum.value,
        credit_points=_credit_points(policy, employee, predikat),
        training=_training(policy, evaluation, awards, catalogue, iki_aspects),
        coach_nip=coach_nip,
        coach_name=employee.atasan_name if coach_nip and employee else None,
    )


def _value(predikat: Predikat | None) -> str | None:
    return predikat.value if predikat else None


def _credit_points(policy: Policy, employee: EmployeeRecord | None, predikat: Predikat) -> dict | None:
    """Only for a functional position whose jenjang has a coefficient in the policy."""
    if employee is None or employee.position_kind != "fungsional" or not employee.position_grade:
        return None
    coefficient = policy.annual_coefficient.get(employee.position_grade)
    if coefficient is None:
        return None
    percentage = policy.credit_percentage[predikat]
    return {
        "jenjang": employee.position_grade,
        "annual_coefficient": coefficient,
        "percentage": percentage,
        "credit_points": credit_points(coefficient, percentage),
    }


def _training(
    policy: Policy,
    evaluation: EvaluationResult,
    awards: list[str],
    catalogue: Catalogue,
    iki_aspects: Mapping[str, str],
) -> dict | None:
    if evaluation.predikat in COACHED:
        courses = recommend_courses(catalogue, evaluation.weaknesses, iki_aspects, policy.courses_per_weakness)
        courses = courses or general_courses(catalogue, policy.high_performer_courses)
        reason, priority = "pembinaan", False
    elif PRIORITY_TRAINING_AWARD in awards:
        courses = recommend_courses(catalogue, evaluation.weaknesses, iki_aspects, policy.courses_per_weakness)
        taken = {c["course_id"] for c in courses}
        courses += [c for c in general_courses(catalogue, policy.high_performer_courses) if c["course_id"] not in taken]
        reason, priority = "penghargaan", True
    else:
        return None
    return {"reason": reason, "priority": priority, "courses": courses, "catalogue_version": catalogue.version}
