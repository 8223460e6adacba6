"""Events published by the rewards service on topic `kinerja.rewards.events`, keyed by NIP."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from shared.contracts.fields import choice, nip_field, text, year_field
from shared.contracts.vocabulary import Predikat
from shared.events import EventDefinition

TOPIC = "kinerja.rewards.events"


class RewardGrantedV1(ma.Schema):
    decision_id = fields.String(required=True)
    evaluation_id = fields.String(required=True)
    nip = nip_field(required=True)
    employee_name = text(200, required=True)
    period_year = year_field(required=True)
    predikat = choice(Predikat, required=True)
    incentive_percentage = fields.Float(required=True, validate=validate.Range(min=0, max=200))
    awards = fields.List(fields.String(), required=True)
    promotion_eligible = fields.Boolean(required=True)
    policy_version = fields.String(required=True)


class CoachingAssignedV1(ma.Schema):
    coaching_id = fields.String(required=True)
    evaluation_id = fields.String(required=True)
    nip = nip_field(required=True)
    employee_name = text(200, required=True)
    coach_nip = nip_field(required=True)
    coach_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    period_year = year_field(required=True)
    predikat = choice(Predikat, required=True)
    incentive_percentage = fields.Float(required=True, validate=validate.Range(min=0, max=200))
    duration_months = fields.Integer(required=True, validate=validate.Range(min=1, max=6))
    goals = fields.List(fields.String(), required=True)
    policy_version = fields.String(required=True)


DEFINITIONS = [
    EventDefinition(
        "reward.granted",
        1,
        RewardGrantedV1,
        TOPIC,
        "nip",
        "Consequences of a Baik or Sangat Baik evaluation: incentive, awards, promotion eligibility.",
    ),
    EventDefinition(
        "coaching.assigned",
        1,
        CoachingAssignedV1,
        TOPIC,
        "nip",
        "Pembinaan for an under-performer: improvement plan with the atasan as coach.",
    ),
]
