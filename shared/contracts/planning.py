"""Events published by the planning service on topic `kinerja.planning.events`, keyed by NIP."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from shared.contracts.fields import choice, nip_field, text, year_field
from shared.contracts.vocabulary import Aspect, BerakhlakValue, Direction, Perspective, RhkKind, SkpTemplate
from shared.events import EventDefinition

TOPIC = "kinerja.planning.events"


class IkiSchema(ma.Schema):
    iki_id = fields.String(required=True)
    indicator = text(500, required=True)
    aspect = choice(Aspect, required=True)
    target = fields.Float(required=True, allow_nan=False)
    unit = text(60, required=True)
    direction = choice(Direction, required=True)
    # The IKI measures a unit-level target (a school's graduation rate): its realisasi is the unit's.
    unit_target_id = fields.String(load_default=None, allow_none=True)


class RhkSchema(ma.Schema):
    rhk_id = fields.String(required=True)
    description = text(1000, required=True)
    kind = choice(RhkKind, required=True)
    intervenes_rhk_id = fields.String(load_default=None, allow_none=True)
    perspective = choice(Perspective, load_default=None, allow_none=True)  # JPT plans only
    iki = fields.List(fields.Nested(IkiSchema), required=True, validate=validate.Length(min=1))


class AnnexSchema(ma.Schema):
    """Lampiran SKP: resource support, accountability scheme, consequences."""

    dukungan_sumber_daya = fields.List(fields.String(validate=validate.Length(min=1, max=1000)), load_default=list)
    skema_pertanggungjawaban = fields.List(fields.String(validate=validate.Length(min=1, max=1000)), load_default=list)
    konsekuensi = fields.List(fields.String(validate=validate.Length(min=1, max=1000)), load_default=list)


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
    unit_id = fields.String(load_default=None, allow_none=True)
    template = choice(SkpTemplate, load_default=SkpTemplate.JA_JF.value)
    # Ekspektasi khusus pimpinan: the atasan's expectation per BerAKHLAK value.
    expectations = fields.Dict(
        keys=fields.String(validate=validate.OneOf([v.value for v in BerakhlakValue])),
        values=fields.String(validate=validate.Length(min=1, max=2000)),
        load_default=dict,
    )
    annex = fields.Nested(AnnexSchema, load_default=lambda: AnnexSchema().load({}))
    # A unit head's results rating follows the unit's achievement (the IKI with a unit_target_id).
    results_follow_unit = fields.Boolean(load_default=False)


class PlanSubmittedV1(PlanSchema):
    pass


class PlanApprovedV1(PlanSchema):
    approved_by = nip_field(required=True)


class PlanAmendedV1(PlanSchema):
    """An approved SKP changed by an amendment (reason given, agreed by the atasan): the whole
    plan as amended replaces the earlier one; realisasi of IKI kept by id stay valid."""

    amendment_no = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    reason = text(2000, required=True)
    approved_by = nip_field(required=True)


class PlanReturnedV1(ma.Schema):
    skp_id = fields.String(required=True)
    nip = nip_field(required=True)
    employee_name = text(200, required=True)
    period_year = year_field(required=True)
    returned_by = nip_field(required=True)
    returned_by_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    reason = text(2000, required=True)


class EvidenceFileSchema(ma.Schema):
    file_id = fields.String(required=True)
    filename = text(255, required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True, validate=validate.Range(min=0))


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
    # Uploaded bukti dukung kept by planning: ids and names only, never the file itself.
    evidence_files = fields.List(fields.Nested(EvidenceFileSchema), load_default=list)


class RealisasiFeedbackGivenV1(ma.Schema):
    """Umpan balik berkelanjutan: the atasan's feedback on one realisasi entry."""

    skp_id = fields.String(required=True)
    nip = nip_field(required=True)
    employee_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    period_year = year_field(required=True)
    quarter = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=4))
    iki_id = fields.String(required=True)
    indicator = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    given_by = nip_field(required=True)
    given_by_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    feedback = text(4000, required=True)


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
        "plan.amended",
        1,
        PlanAmendedV1,
        TOPIC,
        "nip",
        "An approved SKP was amended (with a reason); the amended plan replaces the earlier one.",
    ),
    EventDefinition(
        "realisasi.feedback_given",
        1,
        RealisasiFeedbackGivenV1,
        TOPIC,
        "nip",
        "The atasan gave feedback on a realisasi entry (umpan balik berkelanjutan).",
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
