"""Request and response schemas of the planning API (also its OpenAPI document)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from shared.contracts.fields import choice, nip_field, text, year_field
from shared.contracts.planning import RhkSchema  # the plan shape of the event contract
from shared.contracts.vocabulary import Aspect, Direction, RhkKind


class IkiIn(ma.Schema):
    indicator = text(500, required=True, metadata={"example": "Jumlah pasien yang dilayani"})
    aspect = choice(Aspect, required=True)
    target = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=0), metadata={"example": 1200})
    unit = text(60, required=True, metadata={"example": "pasien"})
    direction = choice(Direction, load_default=Direction.HIGHER_IS_BETTER.value)


class RhkIn(ma.Schema):
    description = text(1000, required=True)
    kind = choice(RhkKind, load_default=RhkKind.UTAMA.value)
    intervenes_rhk_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    iki = fields.List(fields.Nested(IkiIn), required=True, validate=validate.Length(min=1, max=20))


class PersonIn(ma.Schema):
    nip = nip_field(required=True)
    name = text(200, required=True)


class SkpCreate(ma.Schema):
    period_year = year_field(required=True, metadata={"example": 2026})
    employee_name = text(200, required=True)
    unit = text(200, required=True)
    atasan = fields.Nested(PersonIn, required=True)
    rhk = fields.List(fields.Nested(RhkIn), required=True, validate=validate.Length(min=1, max=30))


class SkpRevise(ma.Schema):
    rhk = fields.List(fields.Nested(RhkIn), required=True, validate=validate.Length(min=1, max=30))


class SkpReturn(ma.Schema):
    reason = text(2000, required=True)


class ProgressIn(ma.Schema):
    quarter = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=4))
    iki_id = fields.String(required=True, validate=validate.Length(min=1, max=120))
    value = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=0))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    evidence_url = fields.Url(load_default=None, allow_none=True, schemes={"https", "http"})


class SkpQuery(ma.Schema):
    nip = nip_field()
    atasan_nip = nip_field()
    period_year = year_field(strict=False)
    status = fields.String(validate=validate.OneOf(["draft", "submitted", "approved", "returned"]))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class RealisasiOut(ma.Schema):
    quarter = fields.Integer()
    rhk_id = fields.String()
    iki_id = fields.String()
    value = fields.Float()
    note = fields.String(allow_none=True)
    evidence_url = fields.String(allow_none=True)


class SkpOut(ma.Schema):
    skp_id = fields.String()
    tenant = fields.String()
    nip = fields.String()
    employee_name = fields.String()
    atasan_nip = fields.String()
    unit = fields.String()
    period_year = fields.Integer()
    status = fields.String()
    return_reason = fields.String(allow_none=True)
    rhk = fields.List(fields.Nested(RhkSchema))
    realisasi = fields.List(fields.Nested(RealisasiOut))
    version = fields.Integer()
    updated_at = fields.DateTime()
