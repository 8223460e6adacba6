"""Request and response schemas of the planning SKP API (also its OpenAPI document)."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from shared.contracts.fields import choice, limit_field, nip_field, offset_field, text, year_field
from shared.contracts.planning import AnnexSchema, EvidenceFileSchema, RhkSchema
from shared.contracts.vocabulary import Aspect, BerakhlakValue, Direction, Perspective, RhkKind, values

ID = validate.Length(min=1, max=160)
QUARTER = validate.Range(min=1, max=4)


class IkiIn(ma.Schema):
    iki_id = fields.String(validate=ID, metadata={"description": "Keep an existing IKI (and its realisasi)."})
    indicator = text(500, required=True, metadata={"example": "Jumlah pasien yang dilayani"})
    aspect = choice(Aspect, required=True)
    target = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=0), metadata={"example": 1200})
    unit = text(60, required=True, metadata={"example": "pasien"})
    direction = choice(Direction, load_default=Direction.HIGHER_IS_BETTER.value)
    unit_target_id = fields.String(
        load_default=None, allow_none=True, validate=ID, metadata={"description": "Carry a unit-level target."}
    )


class RhkIn(ma.Schema):
    rhk_id = fields.String(validate=ID, metadata={"description": "Keep an existing RHK."})
    description = text(1000, required=True)
    kind = choice(RhkKind, load_default=RhkKind.UTAMA.value)
    intervenes_rhk_id = fields.String(load_default=None, allow_none=True, validate=ID)
    perspective = choice(Perspective, load_default=None, allow_none=True)
    iki = fields.List(fields.Nested(IkiIn), required=True, validate=validate.Length(min=1, max=20))


def _statement_list() -> fields.List:
    return fields.List(fields.String(validate=validate.Length(min=1, max=1000)), validate=validate.Length(max=20))


class AnnexIn(ma.Schema):
    dukungan_sumber_daya = _statement_list()
    skema_pertanggungjawaban = _statement_list()
    konsekuensi = _statement_list()


class PlanContentIn(ma.Schema):
    rhk = fields.List(fields.Nested(RhkIn), required=True, validate=validate.Length(min=1, max=30))
    annex = fields.Nested(AnnexIn, load_default=None)
    results_follow_unit = fields.Boolean(load_default=False)


class SkpCreate(PlanContentIn):
    """Name, unit, atasan and template come from the organisation register."""

    period_year = year_field(required=True, metadata={"example": 2026})


class SkpRevise(PlanContentIn):
    pass


class AmendmentIn(PlanContentIn):
    reason = text(2000, required=True, metadata={"example": "Target disesuaikan dengan APBD perubahan."})


class ReasonIn(ma.Schema):
    reason = text(2000, required=True)


class ExpectationsIn(ma.Schema):
    expectations = fields.Dict(
        keys=fields.String(validate=validate.OneOf(values(BerakhlakValue))),
        values=fields.String(validate=validate.Length(min=1, max=2000)),
        required=True,
        validate=validate.Length(min=1),
        metadata={"example": {"berorientasi_pelayanan": "Melayani pasien lansia lebih dulu."}},
    )


class ProgressIn(ma.Schema):
    quarter = fields.Integer(required=True, strict=True, validate=QUARTER)
    iki_id = fields.String(required=True, validate=ID)
    value = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=0))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    evidence_url = fields.Url(load_default=None, allow_none=True, schemes={"https", "http"})
    evidence_file_ids = fields.List(fields.String(validate=ID), load_default=list, validate=validate.Length(max=10))


class FeedbackIn(ma.Schema):
    quarter = fields.Integer(required=True, strict=True, validate=QUARTER)
    iki_id = fields.String(required=True, validate=ID)
    feedback = text(4000, required=True)


class EvidenceUpload(ma.Schema):
    file = Upload(required=True, metadata={"description": "PDF, PNG, JPEG, DOCX, XLSX or PPTX; at most 10 MB."})


class SkpQuery(ma.Schema):
    nip = nip_field()
    atasan_nip = nip_field()
    unit_id = fields.String(validate=validate.Length(min=1, max=60))
    period_year = year_field(strict=False)
    status = fields.String(validate=validate.OneOf(["draft", "submitted", "approved", "returned"]))
    limit = limit_field(100, 500)
    offset = offset_field()


class TeamQuery(ma.Schema):
    period_year = year_field(strict=False, required=True)
    atasan_nip = nip_field(metadata={"description": "Admins: whose team (default: your own)."})


class TeamMemberOut(ma.Schema):
    nip = fields.String()
    name = fields.String()
    position_name = fields.String()
    unit_id = fields.String()
    unit_name = fields.String()
    plan_status = fields.String(
        metadata={"description": "not_started, draft, submitted, approved or returned"},
    )
    skp_id = fields.String(allow_none=True)
    amendment_pending = fields.Boolean()


class FeedbackOut(ma.Schema):
    by = fields.String()
    by_name = fields.String(allow_none=True)
    feedback = fields.String()


class RealisasiOut(ma.Schema):
    quarter = fields.Integer()
    rhk_id = fields.String()
    iki_id = fields.String()
    value = fields.Float()
    note = fields.String(allow_none=True)
    evidence_url = fields.String(allow_none=True)
    evidence_files = fields.List(fields.Nested(EvidenceFileSchema))
    feedback = fields.List(fields.Nested(FeedbackOut))


class AmendmentOut(ma.Schema):
    by = fields.String()
    reason = fields.String()
    rhk = fields.List(fields.Nested(RhkSchema))
    annex = fields.Nested(AnnexSchema)
    results_follow_unit = fields.Boolean()


class SkpOut(ma.Schema):
    skp_id = fields.String()
    tenant = fields.String()
    nip = fields.String()
    employee_name = fields.String()
    atasan_nip = fields.String()
    unit = fields.String()
    unit_id = fields.String(allow_none=True)
    period_year = fields.Integer()
    template = fields.String()
    status = fields.String()
    return_reason = fields.String(allow_none=True)
    rhk = fields.List(fields.Nested(RhkSchema))
    expectations = fields.Dict(keys=fields.String(), values=fields.String(), allow_none=True)
    annex = fields.Nested(AnnexSchema, allow_none=True)
    results_follow_unit = fields.Boolean()
    amendment_no = fields.Integer()
    pending_amendment = fields.Nested(AmendmentOut, allow_none=True)
    realisasi = fields.List(fields.Nested(RealisasiOut))
    version = fields.Integer()
    updated_at = fields.DateTime()


class HistoryEntryOut(ma.Schema):
    version = fields.Integer()
    event_type = fields.String()
    occurred_at = fields.DateTime()
    actor = fields.String(allow_none=True)
    data = fields.Dict()


class CascadeRhkOut(ma.Schema):
    rhk_id = fields.String()
    skp_id = fields.String()
    nip = fields.String()
    employee_name = fields.String()
    status = fields.String()
    kind = fields.String()
    description = fields.String()
    intervenes_rhk_id = fields.String(allow_none=True)


class CascadeNodeOut(CascadeRhkOut):
    children = fields.List(fields.Nested(lambda: CascadeNodeOut()))


class CascadeOut(ma.Schema):
    skp_id = fields.String()
    nip = fields.String()
    period_year = fields.Integer()
    rhk = fields.List(fields.Nested(CascadeNodeOut))
    rhk_count = fields.Integer()
    uncovered = fields.List(fields.Nested(CascadeRhkOut))


class EvidenceOut(EvidenceFileSchema):
    pass


class TemplateOut(ma.Schema):
    template = fields.String()
    name = fields.String()
    for_positions = fields.List(fields.String())
    perspectives = fields.List(fields.String())
    aspects = fields.List(fields.String())
    rhk_kinds = fields.List(fields.String())
    expectations_by = fields.List(fields.String())
    annex = fields.List(fields.String())
