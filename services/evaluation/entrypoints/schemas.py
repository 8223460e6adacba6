"""Request and response schemas of the evaluation API (also its OpenAPI document)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from services.evaluation.domain.assessment import SUPPORTED_SOURCES, behaviour_problem
from services.evaluation.domain.evaluation import APPEAL_WINDOW
from services.evaluation.domain.public_input import IKM_ELEMENTS
from services.evaluation.domain.scoring import PERIODS
from shared.contracts.evaluation import ORG_PREDIKAT
from shared.contracts.fields import limit_field, nip_field, offset_field, year_field
from shared.contracts.planning import RhkSchema  # the plan shape of the event contract
from shared.contracts.vocabulary import BerakhlakValue, Predikat, Rating, values

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
    limit = limit_field(100, 500)
    offset = offset_field()


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


class FindingOut(ma.Schema):
    kind = fields.String()
    ref = fields.String()
    label = fields.String()
    gap = fields.Float()


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
    unit_id = fields.String(allow_none=True)
    matrix_predikat = fields.String(allow_none=True, metadata={"description": "The predikat the matrix gives"})
    strengths = fields.List(fields.Nested(FindingOut), allow_none=True)
    weaknesses = fields.List(fields.Nested(FindingOut), allow_none=True)
    revision = fields.Integer(metadata={"description": "0 for the first result, +1 for every revision"})
    override = fields.Dict(allow_none=True, metadata={"description": "kalibrasi or keberatan: predikat, reason, by"})
    appeal = fields.Dict(allow_none=True)
    result_at = fields.DateTime(allow_none=True)
    appeal_deadline = fields.Method("_appeal_deadline", metadata={"description": "14 days after result_at"})

    def _appeal_deadline(self, row: dict[str, Any]) -> str | None:
        result_at = row.get("result_at")
        return (result_at + APPEAL_WINDOW).isoformat() if result_at else None


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


# --- calibration and keberatan ------------------------------------------------------------------

_REASON = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class CalibrationIn(ma.Schema):
    predikat = fields.String(required=True, validate=validate.OneOf(values(Predikat)))
    reason = fields.String(
        required=True,
        validate=validate.Length(
            min=10, max=4000, error="Alasan tertulis 10–4000 karakter / A written reason of 10–4000 characters."
        ),
    )


class AppealIn(ma.Schema):
    reason = fields.String(required=True, validate=validate.Length(min=10, max=4000))
    requested_predikat = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(values(Predikat)))


class AppealDecisionIn(ma.Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["accepted", "rejected"]))
    predikat = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(values(Predikat)))
    reason = fields.String(required=True, validate=validate.Length(min=10, max=4000))


class AppealQuery(ma.Schema):
    status = fields.String(validate=validate.OneOf(["filed", "accepted", "rejected"]))
    limit = limit_field(100, 500)
    offset = offset_field()


# --- period close -------------------------------------------------------------------------------


class CloseIn(ma.Schema):
    unit_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=60))


class CloseOut(ma.Schema):
    close_id = fields.String()
    tenant = fields.String()
    period_year = fields.Integer()
    period = fields.String()
    unit_id = fields.String(allow_none=True)
    atasan_nip = fields.String(allow_none=True)
    requested_by = fields.String()
    requested_at = fields.DateTime()
    total = fields.Integer()
    done = fields.Integer()
    finished = fields.Boolean()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    incomplete = fields.List(fields.Dict())


# --- units: organisation predikat, curve, public input -------------------------------------------


class PeriodQuery(ma.Schema):
    period_year = year_field(strict=False, required=True)
    period = fields.String(load_default="annual", validate=validate.OneOf(PERIODS))


class OrganisationPredikatIn(ma.Schema):
    period_year = year_field(required=True)
    period = fields.String(load_default="annual", validate=validate.OneOf(PERIODS))
    predikat = fields.String(required=True, validate=validate.OneOf(ORG_PREDIKAT))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class OrganisationPredikatOut(ma.Schema):
    unit_id = fields.String()
    period_year = fields.Integer()
    period = fields.String()
    predikat = fields.String()
    previous_predikat = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    set_by = fields.String()
    set_at = fields.DateTime()
    version = fields.Integer()


class CurveCheckOut(ma.Schema):
    predikat = fields.List(fields.String())
    limit = fields.String()
    share = fields.Float()
    allowed_count = fields.Integer()
    count = fields.Integer()
    ok = fields.Boolean()


class DistributionOut(ma.Schema):
    unit_id = fields.String()
    period_year = fields.Integer()
    period = fields.String()
    organisation_predikat = fields.String()
    employees = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    shares = fields.Dict(keys=fields.String(), values=fields.Float())
    checks = fields.List(fields.Nested(CurveCheckOut))
    valid = fields.Boolean()


_SCORE = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=4))
IkmResponse = ma.Schema.from_dict({element: _SCORE for element in IKM_ELEMENTS}, name="IkmResponse")


class IkmIn(ma.Schema):
    period_year = year_field(required=True)
    period = fields.String(load_default="annual", validate=validate.OneOf(PERIODS))
    responses = fields.List(
        fields.Nested(IkmResponse),
        required=True,
        validate=validate.Length(min=1, max=10000),
        metadata={"description": "One row per respondent: the nine unsur (u1–u9), each scored 1–4"},
    )


class ComplaintIn(ma.Schema):
    complaint_id = fields.String(required=True, validate=validate.Length(min=1, max=120))
    channel = fields.String(load_default="sp4n_lapor", validate=validate.Length(min=1, max=40))
    received_at = fields.AwareDateTime(required=True, default_timezone=UTC)
    first_response_at = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=UTC)
    resolved_at = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=UTC)

    @validates_schema
    def _in_order(self, data: dict[str, Any], **_kwargs: Any) -> None:
        for name in ("first_response_at", "resolved_at"):
            if data.get(name) and data[name] < data["received_at"]:
                raise ma.ValidationError(
                    "Tidak boleh sebelum received_at / Must not be before received_at.", field_name=name
                )


class ComplaintOut(ma.Schema):
    complaint_id = fields.String()
    unit_id = fields.String()
    period_year = fields.Integer()
    channel = fields.String()
    received_at = fields.DateTime()
    first_response_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    responded_in_time = fields.Boolean(allow_none=True)
    version = fields.Integer()


class PublicInputOut(ma.Schema):
    unit_id = fields.String()
    unit_name = fields.String()
    serves_public = fields.Boolean()
    period_year = fields.Integer()
    period = fields.String()
    ikm = fields.Float(allow_none=True)
    grade = fields.String(allow_none=True)
    respondents = fields.Integer()
    element_averages = fields.Dict(keys=fields.String(), values=fields.Float())
    complaints = fields.Dict()


class RaterBiasOut(ma.Schema):
    period_year = fields.Integer()
    period = fields.String()
    organisation = fields.Dict()
    thresholds = fields.Dict()
    appraisers = fields.List(fields.Dict())
