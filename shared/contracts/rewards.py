"""Events published by the rewards service on topic `kinerja.rewards.events`, keyed by NIP.

Every decision names the policy version that produced it. A revision of the evaluation (or an
operator's re-run of a period under a newer policy) revokes the earlier decision with
`reward.revoked` and publishes the replacing decision's events; both stay visible.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from shared.contracts.fields import choice, nip_field, text, year_field
from shared.contracts.vocabulary import Predikat
from shared.events import EventDefinition

TOPIC = "kinerja.rewards.events"

DECISION_KINDS = ["reward", "coaching"]
BUDGET_STATUSES = ["no_amount", "no_budget", "within_budget", "pro_rata", "waitlisted"]
REVOCATION_REASONS = ["evaluation_revised", "policy_rerun"]
CHECK_IN_PROGRESS = ["on_track", "behind", "at_risk", "achieved"]
COACHING_OUTCOMES = ["improved", "not_improved"]
COMPETENCY_RESULTS = ["competent", "not_competent"]


def _percentage(**kwargs: Any) -> fields.Float:
    return fields.Float(validate=validate.Range(min=0, max=200), **kwargs)


def _amount(**kwargs: Any) -> fields.Float:
    return fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(min=0), **kwargs)


class RewardGrantedV1(ma.Schema):
    decision_id = fields.String(required=True)
    evaluation_id = fields.String(required=True)
    nip = nip_field(required=True)
    employee_name = text(200, required=True)
    period_year = year_field(required=True)
    predikat = choice(Predikat, required=True)
    incentive_percentage = _percentage(required=True)
    awards = fields.List(fields.String(), required=True)
    promotion_eligible = fields.Boolean(required=True)
    policy_version = fields.String(required=True)
    # Optional (added with the follow-up rules): where the employee works, and what it replaces.
    unit_id = fields.String(load_default=None, allow_none=True)
    replaces = fields.String(load_default=None, allow_none=True)


class CoachingAssignedV1(ma.Schema):
    coaching_id = fields.String(required=True)
    evaluation_id = fields.String(required=True)
    nip = nip_field(required=True)
    employee_name = text(200, required=True)
    coach_nip = nip_field(required=True)
    coach_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    period_year = year_field(required=True)
    predikat = choice(Predikat, required=True)
    incentive_percentage = _percentage(required=True)
    duration_months = fields.Integer(required=True, validate=validate.Range(min=1, max=6))
    goals = fields.List(fields.String(), required=True)
    policy_version = fields.String(required=True)
    # Optional: the plan's last day, and the decision this one replaces after a revision.
    ends_on = fields.Date(load_default=None, allow_none=True)
    replaces = fields.String(load_default=None, allow_none=True)


class RewardRevokedV1(ma.Schema):
    """An earlier decision (reward or coaching) no longer holds; `replaced_by` names its successor."""

    decision_id = fields.String(required=True)
    decision_kind = fields.String(required=True, validate=validate.OneOf(DECISION_KINDS))
    evaluation_id = fields.String(required=True)
    nip = nip_field(required=True)
    employee_name = text(200, required=True)
    period_year = year_field(required=True)
    predikat = choice(Predikat, required=True)
    policy_version = fields.String(required=True)
    reason = fields.String(required=True, validate=validate.OneOf(REVOCATION_REASONS))
    reason_text = fields.String(load_default="", validate=validate.Length(max=2000))
    replaced_by = fields.String(load_default=None, allow_none=True)


class IncentiveCalculatedV1(ma.Schema):
    """The incentive (TPP) share for the year after the period. Amounts are yearly, in `currency`.

    `payable_amount` is the figure when the decision was taken; with a `pro_rata` budget it can
    shrink as more claims of the unit arrive: the incentive register (API/CSV) is authoritative.
    """

    decision_id = fields.String(required=True)
    evaluation_id = fields.String(required=True)
    nip = nip_field(required=True)
    employee_name = text(200, required=True)
    unit_id = fields.String(required=True, allow_none=True)
    unit_name = fields.String(required=True, allow_none=True)
    period_year = year_field(required=True)
    predikat = choice(Predikat, required=True)
    incentive_percentage = _percentage(required=True)
    base_amount = _amount(required=True)
    gross_amount = _amount(required=True)
    payable_amount = _amount(required=True)
    budget_status = fields.String(required=True, validate=validate.OneOf(BUDGET_STATUSES))
    currency = fields.String(load_default="IDR")
    policy_version = fields.String(required=True)


class CreditPointsConvertedV1(ma.Schema):
    """Angka kredit of a functional position: the jenjang's annual coefficient × the predikat's percentage."""

    decision_id = fields.String(required=True)
    evaluation_id = fields.String(required=True)
    nip = nip_field(required=True)
    employee_name = text(200, required=True)
    period_year = year_field(required=True)
    predikat = choice(Predikat, required=True)
    jenjang = fields.String(required=True)
    annual_coefficient = fields.Float(required=True, validate=validate.Range(min=0))
    percentage = _percentage(required=True)
    credit_points = fields.Float(required=True, validate=validate.Range(min=0))
    policy_version = fields.String(required=True)


class YearResultSchema(ma.Schema):
    period_year = year_field(required=True)
    predikat = choice(Predikat, required=True, allow_none=True)  # None: no annual result known


class PromotionEligibilityDeterminedV1(ma.Schema):
    decision_id = fields.String(required=True)
    evaluation_id = fields.String(required=True)
    nip = nip_field(required=True)
    employee_name = text(200, required=True)
    period_year = year_field(required=True)
    predikat = choice(Predikat, required=True)
    eligible = fields.Boolean(required=True)
    minimum_predikat = choice(Predikat, required=True)
    years = fields.List(fields.Nested(YearResultSchema), required=True)
    policy_version = fields.String(required=True)


class CoachingCheckInRecordedV1(ma.Schema):
    coaching_id = fields.String(required=True)
    nip = nip_field(required=True)
    employee_name = text(200, required=True)
    coach_nip = nip_field(required=True)
    period_year = year_field(required=True)
    check_in_number = fields.Integer(required=True, validate=validate.Range(min=1))
    held_on = fields.Date(required=True)
    progress = fields.String(required=True, validate=validate.OneOf(CHECK_IN_PROGRESS))
    notes = fields.String(load_default="", validate=validate.Length(max=4000))
    recorded_by = nip_field(required=True)


class CoachingCoachChangedV1(ma.Schema):
    """The employee's atasan changed during an open plan: the new atasan coaches from now on."""

    coaching_id = fields.String(required=True)
    nip = nip_field(required=True)
    employee_name = text(200, required=True)
    period_year = year_field(required=True)
    coach_nip = nip_field(required=True)
    coach_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    previous_coach_nip = nip_field(required=True)


class CoachingClosedV1(ma.Schema):
    """The improvement plan ended. `not_improved` leads to a competency test (PP 30/2019 art. 57)."""

    coaching_id = fields.String(required=True)
    nip = nip_field(required=True)
    employee_name = text(200, required=True)
    coach_nip = nip_field(required=True)
    period_year = year_field(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(COACHING_OUTCOMES))
    next_step = fields.String(required=True, validate=validate.OneOf(["none", "competency_test"]))
    summary = fields.String(load_default="", validate=validate.Length(max=4000))
    check_ins = fields.Integer(required=True, validate=validate.Range(min=0))
    closed_by = nip_field(required=True)
    policy_version = fields.String(required=True)


class CoachingCompetencyTestedV1(ma.Schema):
    """After a plan without improvement: the competency test and, if not competent, the reassignment."""

    coaching_id = fields.String(required=True)
    nip = nip_field(required=True)
    employee_name = text(200, required=True)
    period_year = year_field(required=True)
    result = fields.String(required=True, validate=validate.OneOf(COMPETENCY_RESULTS))
    reassigned_to = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    notes = fields.String(load_default="", validate=validate.Length(max=4000))
    recorded_by = nip_field(required=True)


class CourseSchema(ma.Schema):
    course_id = fields.String(required=True)
    title = text(300, required=True)
    competency = fields.String(required=True)  # a BerAKHLAK value or an IKI aspect
    hours = fields.Integer(load_default=None, allow_none=True)
    matched_kind = fields.String(load_default=None, allow_none=True)  # iki | perilaku; None: general offer
    matched_ref = fields.String(load_default=None, allow_none=True)
    matched_label = fields.String(load_default=None, allow_none=True)


class TrainingRecommendedV1(ma.Schema):
    decision_id = fields.String(required=True)
    nip = nip_field(required=True)
    employee_name = text(200, required=True)
    period_year = year_field(required=True)
    reason = fields.String(required=True, validate=validate.OneOf(["pembinaan", "penghargaan"]))
    priority = fields.Boolean(required=True)  # high performers' "priority for training"
    courses = fields.List(fields.Nested(CourseSchema), required=True)
    catalogue_version = fields.String(required=True)
    policy_version = fields.String(required=True)


def _definition(event_type: str, schema: type[ma.Schema], doc: str) -> EventDefinition:
    return EventDefinition(event_type, 1, schema, TOPIC, "nip", doc)


DEFINITIONS = [
    _definition(
        "reward.granted",
        RewardGrantedV1,
        "Consequences of a Baik or Sangat Baik evaluation: incentive, awards, promotion eligibility.",
    ),
    _definition(
        "coaching.assigned",
        CoachingAssignedV1,
        "Pembinaan for an under-performer: improvement plan with the atasan as coach.",
    ),
    _definition(
        "reward.revoked",
        RewardRevokedV1,
        "An earlier reward or coaching decision is revoked (evaluation revised, or period re-run under a new policy).",
    ),
    _definition(
        "incentive.calculated",
        IncentiveCalculatedV1,
        "The incentive (TPP) percentage and amounts for an annual result, with the unit budget's status.",
    ),
    _definition(
        "credit_points.converted",
        CreditPointsConvertedV1,
        "Angka kredit of a functional position from the annual predikat (PermenPANRB 1/2023).",
    ),
    _definition(
        "promotion_eligibility.determined",
        PromotionEligibilityDeterminedV1,
        "Whether regular promotion is open: at least the minimum predikat in each of the last two years.",
    ),
    _definition(
        "coaching.check_in_recorded",
        CoachingCheckInRecordedV1,
        "The coach recorded a check-in of an improvement plan.",
    ),
    _definition(
        "coaching.coach_changed",
        CoachingCoachChangedV1,
        "The atasan of an employee in an open improvement plan changed; the new atasan is the coach.",
    ),
    _definition(
        "coaching.closed",
        CoachingClosedV1,
        "An improvement plan ended: improved, or not improved (a competency test follows).",
    ),
    _definition(
        "coaching.competency_tested",
        CoachingCompetencyTestedV1,
        "Competency test after a plan without improvement, and the reassignment if any (PP 30/2019).",
    ),
    _definition(
        "training.recommended",
        TrainingRecommendedV1,
        "Courses matched to the weakest indicators and behaviours (or offered first to high performers).",
    ),
]
