"""Events published by the planning service on topic `kinerja.planning.events`, keyed by NIP."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from shared.contracts.fields import choice, nip_field, text, year_field
from shared.contracts.vocabulary import Aspect, Direction, RhkKind
from shared.events import EventDefinition

TOPIC = "kinerja.planning.events"


class IkiSchema(ma.Schema):
    iki_id = fields.String(required=True)
    indicator = text(500, required=True)
    aspect = choice(Aspect, required=True)
    target = fields.Float(required=True, allow_nan=False)
    unit = text(60, required=True)
    direction = choice(Direction, required=True)


class RhkSchema(ma.Schema):
    rhk_id = fields.String(required=True)
    description = text(1000, required=True)
    kind = choice(RhkKind, required=True)
    intervenes_rhk_id = fields.String(load_default=None, allow_none=True)
    iki = fields.List(fields.Nested(IkiSchema), required=True, validate=validate.Length(min=1))


class PlanSchema(ma.Schema):
    """The plan as it stands: what evaluation needs to build its own projection."""

    skp_id = fields.String(required=True)
    nip = nip_field(required=True)
    employee_name = text(200, required=True)
    atasan_nip = nip_field(required=True)
    atasan_name = text(200, required=True)
    unit = text(200, required=True)
    period_year = year_field(required=True)
    rhk = fields.List(fields.Nested(RhkSchema), required=True, validate=validate.Length(min=1))


class PlanSubmittedV1(PlanSchema):
    pass


class PlanApprovedV1(PlanSchema):
    approved_by = nip_field(required=True)


class PlanReturnedV1(ma.Schema):
    skp_id = fields.String(required=True)
    nip = nip_field(required=True)
    employee_name = text(200, required=True)
    period_year = year_field(required=True)
    returned_by = nip_field(required=True)
    returned_by_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    reason = text(2000, required=True)


class ProgressReportedV1(ma.Schema):
    """Realisasi of one IKI for one quarter (the latest report for that quarter wins)."""

    skp_id = fields.String(required=True)
    nip = nip_field(required=True)
    period_year = year_field(required=True)
    quarter = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=4))
    rhk_id = fields.String(required=True)
    iki_id = fields.String(required=True)
    value = fields.Float(required=True, allow_nan=False)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    evidence_url = fields.Url(load_default=None, allow_none=True)


DEFINITIONS = [
    EventDefinition(
        "plan.submitted", 1, PlanSubmittedV1, TOPIC, "nip", "An employee submitted an SKP to the atasan for approval."
    ),
    EventDefinition(
        "plan.approved", 1, PlanApprovedV1, TOPIC, "nip", "The atasan approved an SKP; it is the basis of evaluation."
    ),
    EventDefinition(
        "plan.returned", 1, PlanReturnedV1, TOPIC, "nip", "The atasan returned an SKP to the employee with a reason."
    ),
    EventDefinition(
        "progress.reported",
        1,
        ProgressReportedV1,
        TOPIC,
        "nip",
        "An employee reported realisasi of one IKI for a quarter.",
    ),
]
