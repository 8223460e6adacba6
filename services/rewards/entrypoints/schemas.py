"""Request and response schemas of the rewards API (also its OpenAPI document)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from shared.contracts.fields import nip_field


class DecisionQuery(ma.Schema):
    nip = nip_field(metadata={"description": "Whose decisions; defaults to your own (admins: everyone's)."})
    # Not `year_field()`: that one is strict, and a query string always carries text.
    period_year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    kind = fields.String(validate=validate.OneOf(["reward", "coaching"]))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class DecisionDetailsOut(ma.Schema):
    # reward
    awards = fields.List(fields.String())
    promotion_eligible = fields.Boolean()
    previous_predikat = fields.String(allow_none=True)
    # coaching (pembinaan)
    state = fields.String()
    coach_nip = fields.String()
    duration_months = fields.Integer()
    goals = fields.List(fields.String())


class DecisionOut(ma.Schema):
    decision_id = fields.String(metadata={"example": "reward-eval-198503302010011002-2026-annual"})
    kind = fields.String(metadata={"description": "reward | coaching"})
    tenant = fields.String()
    nip = fields.String()
    employee_name = fields.String()
    period_year = fields.Integer()
    predikat = fields.String()
    incentive_percentage = fields.Float()
    details = fields.Nested(DecisionDetailsOut)
    policy_version = fields.String()
    evaluation_id = fields.String()
    created_at = fields.DateTime()


class CoachingPolicyOut(ma.Schema):
    duration_months = fields.Integer()
    goal_count = fields.Integer()


class PolicyOut(ma.Schema):
    version = fields.String(metadata={"example": "default-2026.1"})
    effective_from = fields.Date()
    description = fields.String()
    source = fields.String(metadata={"description": "default | tenant (an override for your instansi)"})
    incentive_percentage = fields.Dict(keys=fields.String(), values=fields.Float())
    awards = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    coaching = fields.Nested(CoachingPolicyOut)
