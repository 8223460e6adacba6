"""Request and response schemas of the rewards API (also its OpenAPI document)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from shared.contracts.fields import limit_field, nip_field, offset_field, year_field
from shared.contracts.rewards import CHECK_IN_PROGRESS, COACHING_OUTCOMES, COMPETENCY_RESULTS

COACHING_STATES = ["assigned", "in_progress", "competency_test", "closed", "revoked"]
DECISION_STATES = ["granted", *COACHING_STATES]


class Paging(ma.Schema):
    limit = limit_field(100, 500)
    offset = offset_field()


class DecisionQuery(Paging):
    nip = nip_field(metadata={"description": "Whose decisions; default: yours (atasan: yours and your subordinates')."})
    # Not strict: a query string always carries text.
    period_year = year_field(strict=False)
    kind = fields.String(validate=validate.OneOf(["reward", "coaching"]))
    unit_id = fields.String(validate=validate.Length(min=1, max=60))
    state = fields.String(validate=validate.OneOf(DECISION_STATES))
    active = fields.Boolean(metadata={"description": "true: in force; false: revoked (replaced)."})


class CoachingQuery(Paging):
    nip = nip_field()
    period_year = year_field(strict=False)
    unit_id = fields.String(validate=validate.Length(min=1, max=60))
    state = fields.String(validate=validate.OneOf(COACHING_STATES))


class YearResultOut(ma.Schema):
    period_year = fields.Integer()
    predikat = fields.String(allow_none=True)


class CreditPointsOut(ma.Schema):
    jenjang = fields.String()
    annual_coefficient = fields.Float()
    percentage = fields.Float()
    credit_points = fields.Float()


class CourseOut(ma.Schema):
    course_id = fields.String()
    title = fields.String()
    competency = fields.String()
    hours = fields.Integer(allow_none=True)
    matched_kind = fields.String(allow_none=True)
    matched_ref = fields.String(allow_none=True)
    matched_label = fields.String(allow_none=True)


class TrainingOut(ma.Schema):
    reason = fields.String()
    priority = fields.Boolean()
    courses = fields.List(fields.Nested(CourseOut))
    catalogue_version = fields.String()


class CheckInOut(ma.Schema):
    check_in_number = fields.Integer()
    held_on = fields.String(metadata={"format": "date"})
    progress = fields.String()
    notes = fields.String()
    recorded_by = fields.String()


class OutcomeOut(ma.Schema):
    outcome = fields.String()
    next_step = fields.String()
    summary = fields.String()
    check_ins = fields.Integer()
    closed_by = fields.String()


class CompetencyTestOut(ma.Schema):
    result = fields.String()
    reassigned_to = fields.String(allow_none=True)
    notes = fields.String()
    recorded_by = fields.String()


class RevokedOut(ma.Schema):
    reason = fields.String()
    reason_text = fields.String()
    replaced_by = fields.String(allow_none=True)


class DecisionDetailsOut(ma.Schema):
    state = fields.String()
    unit_id = fields.String(allow_none=True)
    unit_name = fields.String(allow_none=True)
    base_amount = fields.Float(allow_none=True)
    gross_amount = fields.Float(allow_none=True)
    promotion_eligible = fields.Boolean()
    promotion_years = fields.List(fields.Nested(YearResultOut))
    credit_points = fields.Nested(CreditPointsOut, allow_none=True)
    training = fields.Nested(TrainingOut, allow_none=True)
    revision = fields.Integer()
    replaces = fields.String(allow_none=True)
    revoked = fields.Nested(RevokedOut, allow_none=True)
    # reward
    awards = fields.List(fields.String())
    previous_predikat = fields.String(allow_none=True)
    # coaching (pembinaan)
    coach_nip = fields.String()
    coach_name = fields.String(allow_none=True)
    duration_months = fields.Integer()
    starts_on = fields.String(allow_none=True, metadata={"format": "date"})
    ends_on = fields.String(allow_none=True, metadata={"format": "date"})
    goals = fields.List(fields.String())
    check_ins = fields.List(fields.Nested(CheckInOut))
    outcome = fields.Nested(OutcomeOut, allow_none=True)
    competency_test = fields.Nested(CompetencyTestOut, allow_none=True)
    coach_changes = fields.List(fields.Dict(), metadata={"description": "Earlier coaches, when the atasan changed."})


class DecisionOut(ma.Schema):
    decision_id = fields.String(metadata={"example": "reward-eval-198503302010011002-2026-annual"})
    kind = fields.String(metadata={"description": "reward | coaching"})
    tenant = fields.String()
    nip = fields.String()
    employee_name = fields.String()
    unit_id = fields.String(allow_none=True)
    unit_name = fields.String(allow_none=True)
    period_year = fields.Integer()
    predikat = fields.String()
    incentive_percentage = fields.Float()
    state = fields.String()
    active = fields.Boolean()
    details = fields.Nested(DecisionDetailsOut)
    policy_version = fields.String()
    evaluation_id = fields.String()
    created_at = fields.DateTime()


class CheckInIn(ma.Schema):
    held_on = fields.Date(metadata={"description": "Default: today."})
    progress = fields.String(required=True, validate=validate.OneOf(CHECK_IN_PROGRESS))
    notes = fields.String(load_default="", validate=validate.Length(max=4000))


class CloseIn(ma.Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(COACHING_OUTCOMES))
    summary = fields.String(load_default="", validate=validate.Length(max=4000))


class CompetencyTestIn(ma.Schema):
    result = fields.String(required=True, validate=validate.OneOf(COMPETENCY_RESULTS))
    reassigned_to = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Required if not competent."},
    )
    notes = fields.String(load_default="", validate=validate.Length(max=4000))


class PolicyOut(ma.Schema):
    version = fields.String(metadata={"example": "default-2026.1"})
    effective_from = fields.Date()
    description = fields.String()
    source = fields.String(metadata={"description": "default | tenant (a packaged override) | published (via API)"})
    incentive_percentage = fields.Dict(keys=fields.String(), values=fields.Float())
    incentive = fields.Dict()
    credit_points = fields.Dict()
    awards = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    promotion = fields.Dict()
    coaching = fields.Dict()
    training = fields.Dict()
    in_force = fields.Boolean()
    published_at = fields.DateTime()
    published_by = fields.String()


class RegisterQuery(ma.Schema):
    period_year = year_field(strict=False, required=True)


class RegisterRowOut(ma.Schema):
    decision_id = fields.String()
    nip = fields.String()
    employee_name = fields.String()
    unit_id = fields.String(allow_none=True)
    unit_name = fields.String(allow_none=True)
    period_year = fields.Integer()
    predikat = fields.String()
    incentive_percentage = fields.Float()
    base_amount = fields.Float(allow_none=True)
    gross_amount = fields.Float(allow_none=True)
    payable_amount = fields.Float(allow_none=True)
    budget_status = fields.String()
    policy_version = fields.String()


class RegisterUnitOut(ma.Schema):
    unit_id = fields.String(allow_none=True)
    unit_name = fields.String(allow_none=True)
    budget = fields.Float(allow_none=True)
    claims = fields.Integer()
    gross_total = fields.Float()
    payable_total = fields.Float()


class RegisterOut(ma.Schema):
    period_year = fields.Integer()
    budget_behaviour = fields.String()
    policy_version = fields.String()
    units = fields.List(fields.Nested(RegisterUnitOut))
    rows = fields.List(fields.Nested(RegisterRowOut))


class BudgetIn(ma.Schema):
    amount = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=0, max=1e13))


class BudgetOut(ma.Schema):
    unit_id = fields.String()
    period_year = fields.Integer()
    amount = fields.Float()


class RerunOut(ma.Schema):
    period_year = fields.Integer()
    policy_version = fields.String()
    redecided = fields.List(fields.String())
    unchanged = fields.Integer()


class StepOut(ma.Schema):
    version = fields.Integer()
    event_type = fields.String(metadata={"example": "coaching.check_in_recorded"})
    occurred_at = fields.DateTime()
    actor = fields.String(allow_none=True, metadata={"description": "NIP of who took the step; `rewards`: the service"})
    facts = fields.Dict()
