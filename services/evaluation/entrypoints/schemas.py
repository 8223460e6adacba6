"""Request and response schemas of the evaluation API (also its OpenAPI document)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from services.evaluation.domain.assessment import SUPPORTED_SOURCES, behaviour_problem
from services.evaluation.domain.scoring import PERIODS
from shared.contracts.fields import nip_field, year_field
from shared.contracts.planning import RhkSchema  # the plan shape of the event contract
from shared.contracts.vocabulary import BerakhlakValue, Rating, values

_SOURCES = [source.value for source in SUPPORTED_SOURCES]


class AssessmentIn(ma.Schema):
    nip = nip_field(required=True, metadata={"description": "NIP of the employee assessed"})
    period_year = year_field(required=True, metadata={"example": 2026})
    source = fields.String(
        required=True,
        validate=validate.OneOf(
            _SOURCES,
            error=(
                "Harus salah satu dari: {choices} (publik belum didukung) / "
                "Must be one of: {choices} (publik is not supported yet)."
            ),
        ),
        metadata={"description": "mandiri, atasan, rekan_kerja or bawahan"},
    )
    behaviour = fields.Dict(
        keys=fields.String(validate=validate.OneOf(values(BerakhlakValue))),
        values=fields.String(validate=validate.OneOf(values(Rating))),
        required=True,
        metadata={
            "description": "Rating per BerAKHLAK value; mandiri and atasan must rate all seven",
            "example": {v.value: Rating.SESUAI.value for v in BerakhlakValue},
        },
    )
    feedback = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))

    @validates_schema
    def _behaviour_complete(self, data: dict[str, Any], **_kwargs: Any) -> None:
        problem = behaviour_problem(data["source"], data["behaviour"])
        if problem:
            raise ma.ValidationError(" / ".join(problem), field_name="behaviour")


class AssessmentOut(ma.Schema):
    assessment_id = fields.String()
    tenant = fields.String()
    nip = fields.String()
    period_year = fields.Integer()
    source = fields.String()
    assessor_nip = fields.String()
    behaviour = fields.Dict(keys=fields.String(), values=fields.String())
    feedback = fields.String(allow_none=True)
    recorded_at = fields.DateTime()


class EvaluationIn(ma.Schema):
    nip = nip_field(required=True)
    period_year = year_field(required=True, metadata={"example": 2026})
    period = fields.String(load_default="annual", validate=validate.OneOf(PERIODS))


class EvaluationQuery(ma.Schema):
    nip = nip_field()
    atasan_nip = nip_field()
    period_year = year_field(strict=False)  # a query string always carries text
    period = fields.String(validate=validate.OneOf(PERIODS))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class IkiResultOut(ma.Schema):
    rhk_id = fields.String()
    rhk_kind = fields.String()
    iki_id = fields.String()
    indicator = fields.String()
    target = fields.Float()
    realisasi = fields.Float(allow_none=True)
    direction = fields.String()
    achievement_pct = fields.Float(allow_none=True)
    rating = fields.String()


class EvaluationOut(ma.Schema):
    evaluation_id = fields.String()
    tenant = fields.String()
    nip = fields.String()
    employee_name = fields.String()
    atasan_nip = fields.String()
    unit = fields.String()
    period_year = fields.Integer()
    period = fields.String()
    skp_id = fields.String()
    assessment_id = fields.String()
    evaluated_by = fields.String()
    rating_hasil_kerja = fields.String()
    rating_perilaku_kerja = fields.String()
    predikat = fields.String()
    breakdown = fields.List(fields.Nested(IkiResultOut))
    explanation = fields.List(fields.String())
    version = fields.Integer()
    completed_at = fields.DateTime()


class RealisasiOut(ma.Schema):
    iki_id = fields.String()
    rhk_id = fields.String()
    quarter = fields.Integer()
    value = fields.Float()
    note = fields.String(allow_none=True)
    reported_at = fields.DateTime()


class PlanOut(ma.Schema):
    skp_id = fields.String()
    tenant = fields.String()
    nip = fields.String()
    employee_name = fields.String()
    atasan_nip = fields.String()
    atasan_name = fields.String()
    unit = fields.String()
    period_year = fields.Integer()
    rhk = fields.List(fields.Nested(RhkSchema))
    approved_at = fields.DateTime()
    realisasi = fields.List(fields.Nested(RealisasiOut))
