"""Events published by the evaluation service on topic `kinerja.evaluation.events`, keyed by NIP."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from shared.contracts.fields import choice, nip_field, text, year_field
from shared.contracts.vocabulary import AssessmentSource, BerakhlakValue, Direction, Predikat, Rating, RhkKind
from shared.events import EventDefinition

TOPIC = "kinerja.evaluation.events"


class AssessmentRecordedV1(ma.Schema):
    assessment_id = fields.String(required=True)
    nip = nip_field(required=True)
    period_year = year_field(required=True)
    source = choice(AssessmentSource, required=True)
    assessor_nip = nip_field(required=True)
    behaviour = fields.Dict(
        keys=fields.String(validate=validate.OneOf([v.value for v in BerakhlakValue])),
        values=fields.String(validate=validate.OneOf([r.value for r in Rating])),
        required=True,
    )
    feedback = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))


class IkiResultSchema(ma.Schema):
    rhk_id = fields.String(required=True)
    rhk_kind = choice(RhkKind, required=True)
    iki_id = fields.String(required=True)
    indicator = text(500, required=True)
    target = fields.Float(required=True, allow_nan=False)
    realisasi = fields.Float(required=True, allow_none=True, allow_nan=False)
    direction = choice(Direction, required=True)
    achievement_pct = fields.Float(required=True, allow_none=True, allow_nan=False)
    rating = choice(Rating, required=True)


class FindingSchema(ma.Schema):
    """A strength or weakness: an indicator or behaviour furthest above or below expectation."""

    kind = fields.String(required=True, validate=validate.OneOf(["iki", "perilaku"]))
    ref = fields.String(required=True)  # iki_id, or a BerAKHLAK value
    label = text(500, required=True)
    gap = fields.Float(required=True, allow_nan=False)  # distance from expectation; + above, - below


class EvaluationCompletedV1(ma.Schema):
    evaluation_id = fields.String(required=True)
    nip = nip_field(required=True)
    employee_name = text(200, required=True)
    atasan_nip = nip_field(required=True)
    atasan_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    unit = text(200, required=True)
    period_year = year_field(required=True)
    period = fields.String(required=True, validate=validate.OneOf(["annual", "Q1", "Q2", "Q3", "Q4"]))
    rating_hasil_kerja = choice(Rating, required=True)
    rating_perilaku_kerja = choice(Rating, required=True)
    predikat = choice(Predikat, required=True)
    breakdown = fields.List(fields.Nested(IkiResultSchema), required=True)
    explanation = fields.List(fields.String(), required=True)
    strengths = fields.List(fields.Nested(FindingSchema), load_default=list)
    weaknesses = fields.List(fields.Nested(FindingSchema), load_default=list)


class EvaluationRevisedV1(EvaluationCompletedV1):
    """A new result replacing an earlier one for the same employee and period (late realisasi, a
    decided appeal, a calibration): consumers replace what they derived from the earlier one."""

    revision = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    revision_reason = text(2000, required=True)
    previous_predikat = choice(Predikat, required=True)


DEFINITIONS = [
    EventDefinition(
        "assessment.recorded",
        1,
        AssessmentRecordedV1,
        TOPIC,
        "nip",
        "An assessment (mandiri, atasan, rekan kerja, bawahan or publik) was recorded.",
    ),
    EventDefinition(
        "evaluation.completed",
        1,
        EvaluationCompletedV1,
        TOPIC,
        "nip",
        "An employee's evaluation for a period: ratings, predikat, breakdown and explanation.",
    ),
    EventDefinition(
        "evaluation.revised",
        1,
        EvaluationRevisedV1,
        TOPIC,
        "nip",
        "A revision of an employee's evaluation for a period; replaces the earlier result.",
    ),
]
