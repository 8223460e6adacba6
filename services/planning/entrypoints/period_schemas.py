"""Schemas of the admin's calendar (quarters) and unit-target API."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from shared.contracts.fields import choice, text, year_field
from shared.contracts.vocabulary import Direction


class QuarterChange(ma.Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=2000))


class QuarterReopen(ma.Schema):
    reason = text(2000, required=True, metadata={"example": "Perpanjangan pengisian realisasi."})


class QuarterOut(ma.Schema):
    period_year = fields.Integer()
    quarter = fields.Integer()
    closed = fields.Boolean()
    changed_by = fields.String()
    reason = fields.String(allow_none=True)
    changed_at = fields.DateTime()


class UnitTargetIn(ma.Schema):
    unit_id = fields.String(required=True, validate=validate.Length(min=1, max=60))
    period_year = year_field(required=True)
    code = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[a-z0-9][a-z0-9_-]{0,59}$", error="Huruf kecil, angka, - atau _ / lowercase, digits, - or _."
        ),
        metadata={"example": "angka-kelulusan"},
    )
    indicator = text(500, required=True, metadata={"example": "Angka kelulusan siswa"})
    target = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=0), metadata={"example": 98})
    unit = text(60, required=True, metadata={"example": "persen"})
    direction = choice(Direction, load_default=Direction.HIGHER_IS_BETTER.value)


class UnitTargetOut(ma.Schema):
    target_id = fields.String()
    unit_id = fields.String()
    period_year = fields.Integer()
    code = fields.String()
    indicator = fields.String()
    target = fields.Float()
    unit = fields.String()
    direction = fields.String()
    updated_by = fields.String()


class UnitTargetQuery(ma.Schema):
    unit_id = fields.String(validate=validate.Length(min=1, max=60))
    period_year = year_field(strict=False)
