"""Events published by the evaluation service on topic `kinerja.evaluation.events`, keyed by NIP."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from shared.contracts.fields import choice, nip_field, text, year_field
from shared.contracts.vocabulary import AssessmentSource, BerakhlakValue, Direction, Predikat, Rating, RhkKind
from shared.events import EventDefinition

TOPIC = "kinerja.evaluation.events"
# Evaluation's own work items (a period close fanned out per employee), kept off the public topic
# so subscribers do not read thousands of them; consumed only by evaluation's worker copies.
WORK_TOPIC = "kinerja.evaluation.work"


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


ORG_PREDIKAT = ["istimewa", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"]
PERIODS = ["annual", "Q1", "Q2", "Q3", "Q4"]


def _period(**kwargs: object) -> fields.String:
    return fields.String(validate=validate.OneOf(PERIODS), **kwargs)


class EvaluationRequestedV1(ma.Schema):
    """A work item of a period close: evaluate one employee (consumed by evaluation's own workers,
    spread over the topic's partitions by NIP; others may ignore it)."""

    close_id = fields.String(required=True)
    nip = nip_field(required=True)
    period_year = year_field(required=True)
    period = _period(required=True)
    requested_by = nip_field(required=True)


class EvaluationCalibratedV1(ma.Schema):
    """The appraiser set a final predikat different from the matrix (or took an override back)."""

    evaluation_id = fields.String(required=True)
    nip = nip_field(required=True)
    period_year = year_field(required=True)
    period = _period(required=True)
    matrix_predikat = choice(Predikat, required=True)
    previous_predikat = choice(Predikat, required=True)
    predikat = choice(Predikat, required=True)
    reason = text(2000, required=True)
    calibrated_by = nip_field(required=True)


class AppealFiledV1(ma.Schema):
    """Keberatan: the employee objects to a result, within 14 days of it (PP 30/2019 art. 59)."""

    appeal_id = fields.String(required=True)
    evaluation_id = fields.String(required=True)
    nip = nip_field(required=True)
    period_year = year_field(required=True)
    period = _period(required=True)
    predikat = choice(Predikat, required=True)
    requested_predikat = choice(Predikat, load_default=None, allow_none=True)
    reason = text(4000, required=True)
    decider_nip = nip_field(required=True)  # atasan pejabat penilai
    filed_at = fields.DateTime(required=True)
    deadline = fields.DateTime(required=True)


class AppealDecidedV1(ma.Schema):
    """The atasan pejabat penilai's decision on a keberatan: final."""

    appeal_id = fields.String(required=True)
    evaluation_id = fields.String(required=True)
    nip = nip_field(required=True)
    period_year = year_field(required=True)
    period = _period(required=True)
    decision = fields.String(required=True, validate=validate.OneOf(["accepted", "rejected"]))
    previous_predikat = choice(Predikat, required=True)
    predikat = choice(Predikat, required=True)
    reason = text(4000, required=True)
    decided_by = nip_field(required=True)


class OrganisationPredikatSetV1(ma.Schema):
    """A unit's own predikat for a period, set by the leader above; it selects the curve."""

    unit_id = text(60, required=True)
    unit_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    period_year = year_field(required=True)
    period = _period(required=True)
    predikat = fields.String(required=True, validate=validate.OneOf(ORG_PREDIKAT))
    previous_predikat = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(ORG_PREDIKAT))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    set_by = nip_field(required=True)


class IkmRecordedV1(ma.Schema):
    """A batch of public satisfaction survey responses (PermenPANRB 14/2017) for a unit and period;
    `ikm` and `grade` are the unit's index over all batches so far."""

    survey_id = fields.String(required=True)
    unit_id = text(60, required=True)
    period_year = year_field(required=True)
    period = _period(required=True)
    respondents = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    element_averages = fields.Dict(keys=fields.String(), values=fields.Float(allow_nan=False), required=True)
    ikm = fields.Float(required=True, allow_nan=False)
    grade = fields.String(required=True, validate=validate.OneOf(["A", "B", "C", "D"]))
    total_respondents = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class ComplaintRecordedV1(ma.Schema):
    """A public complaint (SP4N-LAPOR! or direct) as handled so far: received, responded, resolved."""

    complaint_id = fields.String(required=True)
    unit_id = text(60, required=True)
    period_year = year_field(required=True)
    channel = fields.String(required=True, validate=validate.Length(min=1, max=40))
    received_at = fields.DateTime(required=True)
    first_response_at = fields.DateTime(load_default=None, allow_none=True)
    resolved_at = fields.DateTime(load_default=None, allow_none=True)
    responded_in_time = fields.Boolean(load_default=None, allow_none=True)  # first response ≤ 3 days


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
    EventDefinition(
        "evaluation.requested",
        1,
        EvaluationRequestedV1,
        WORK_TOPIC,
        "nip",
        "A period close asked for one employee's evaluation (evaluation's own work item, on its work topic).",
    ),
    EventDefinition(
        "evaluation.calibrated",
        1,
        EvaluationCalibratedV1,
        TOPIC,
        "nip",
        "The appraiser calibrated an employee's final predikat, with a written reason.",
    ),
    EventDefinition("appeal.filed", 1, AppealFiledV1, TOPIC, "nip", "An employee filed a keberatan on a result."),
    EventDefinition(
        "appeal.decided", 1, AppealDecidedV1, TOPIC, "nip", "The atasan pejabat penilai decided a keberatan (final)."
    ),
    EventDefinition(
        "organisation_predikat.set",
        1,
        OrganisationPredikatSetV1,
        TOPIC,
        "unit_id",
        "A unit's organisation predikat for a period was set by the leader above.",
    ),
    EventDefinition(
        "ikm.recorded", 1, IkmRecordedV1, TOPIC, "unit_id", "Public satisfaction survey responses were recorded."
    ),
    EventDefinition(
        "complaint.recorded", 1, ComplaintRecordedV1, TOPIC, "unit_id", "A public complaint was recorded or updated."
    ),
]
