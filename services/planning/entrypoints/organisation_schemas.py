"""Request and response schemas of the organisation register API."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from services.planning.domain.organisation import UNIT_ID_PATTERN
from shared.contracts.fields import choice, limit_field, offset_field, text
from shared.contracts.organisation import EmployeeSchema, UnitSchema
from shared.contracts.vocabulary import EmployeeType, PositionKind
from shared.nip import NipError, check_nip_kind, parse_nip


def _check_nip(value: str) -> None:
    try:
        parse_nip(value)
    except NipError as exc:
        raise ma.ValidationError(exc.bilingual()) from exc


def checked_nip(**kwargs: Any) -> fields.String:
    """An NIP checked by every digit rule (shared.nip); the reason names the rule broken."""
    return fields.String(validate=_check_nip, **kwargs)


class Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class UnitIn(Strict):
    unit_id = fields.String(
        required=True,
        validate=validate.Regexp(
            UNIT_ID_PATTERN,
            error="Kode unit: huruf, angka, titik, garis bawah atau strip (≤ 60) / Unit code: letters, "
            "digits, dots, underscores or dashes (≤ 60).",
        ),
    )
    name = text(200, required=True)
    parent_unit_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=60))
    kind = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    serves_public = fields.Boolean(load_default=False)


class UnitChange(Strict):
    name = text(200)
    parent_unit_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=60))
    kind = fields.String(allow_none=True, validate=validate.Length(max=60))
    serves_public = fields.Boolean()


class UnitOut(UnitSchema):
    version = fields.Integer()


class UnitTreeOut(UnitOut):
    children = fields.List(fields.Nested(lambda: UnitTreeOut()))


class EmployeeIn(Strict):
    nip = checked_nip(required=True)
    name = text(200, required=True)
    employee_type = choice(EmployeeType, required=True)
    unit_id = text(60, required=True)
    position_name = text(200, required=True)
    position_kind = choice(PositionKind, required=True)
    position_grade = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    is_unit_head = fields.Boolean(load_default=False)
    atasan_nip = checked_nip(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True)

    @validates_schema
    def _nip_matches_type(self, data: dict[str, Any], **_: Any) -> None:
        try:
            problem = check_nip_kind(parse_nip(data["nip"]), data["employee_type"])
        except (NipError, KeyError):
            return  # reported on the field itself
        if problem:
            raise ma.ValidationError(problem.bilingual(), "nip")


class EmployeeMove(Strict):
    unit_id = text(60, required=True)
    position_name = text(200, required=True)
    position_kind = choice(PositionKind, required=True)
    position_grade = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    is_unit_head = fields.Boolean(load_default=False)


class AtasanChange(Strict):
    atasan_nip = checked_nip(required=True, allow_none=True)


class EmployeeUpdate(Strict):
    name = text(200)
    email = fields.Email(allow_none=True)
    employee_type = choice(EmployeeType)


class EmployeeOut(EmployeeSchema):
    version = fields.Integer()


class EmployeeQuery(ma.Schema):
    unit_id = fields.String(validate=validate.Length(min=1, max=60))
    atasan_nip = fields.String(validate=validate.Length(min=1, max=18))
    position_kind = choice(PositionKind)
    active = fields.Boolean()
    limit = limit_field(100, 1000)
    offset = offset_field()


class EmployeePage(ma.Schema):
    items = fields.List(fields.Nested(EmployeeOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


class AtasanProblemOut(EmployeeOut):
    reason = fields.String(metadata={"description": "atasan_missing, atasan_not_registered, atasan_inactive, "
                                     "atasan_is_self, atasan_cycle or atasan_not_above"})  # fmt: skip
    message = fields.String()


class ImportOptions(ma.Schema):
    keep_valid = fields.Boolean(
        load_default=False, metadata={"description": "store the valid rows even if others are rejected"}
    )
    dry_run = fields.Boolean(load_default=False, metadata={"description": "check and report only; store nothing"})


class RowErrorOut(ma.Schema):
    line = fields.Integer()
    nip = fields.String(allow_none=True)
    field = fields.String()
    code = fields.String()
    message = fields.String()


class ImportReportOut(ma.Schema):
    rows = fields.Integer()
    accepted = fields.Integer()
    rejected_rows = fields.Integer()
    units_registered = fields.Integer()
    units_changed = fields.Integer()
    employees_registered = fields.Integer()
    employees_moved = fields.Integer()
    employees_atasan_changed = fields.Integer()
    employees_updated = fields.Integer()
    employees_unchanged = fields.Integer()
    events_published = fields.Integer()
    employees_without_valid_atasan = fields.Integer(
        metadata={"description": "after this import; the list: GET /employees/without-valid-atasan"}
    )
    stored = fields.Boolean()
    dry_run = fields.Boolean()
    keep_valid = fields.Boolean()
    rejected = fields.List(fields.Nested(RowErrorOut))


class TemplateQuery(ma.Schema):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(["xlsx", "csv"]))
