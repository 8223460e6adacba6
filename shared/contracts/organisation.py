"""Organisation master data events, published by planning (which owns the organisation register).

Every employee event carries the employee's whole current record, so a consumer (evaluation's
unit roll-ups, rewards' functional positions, notifications' names, e-mail addresses and targeting)
keeps its own copy without calling back. Keyed by NIP; unit events keyed by unit_id.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from shared.contracts.fields import choice, nip_field, text
from shared.contracts.planning import TOPIC
from shared.contracts.vocabulary import EmployeeType, PositionKind
from shared.events import EventDefinition


class UnitSchema(ma.Schema):
    """A unit kerja in the instansi's tree (dinas, badan, bagian, sekolah, puskesmas, …)."""

    unit_id = text(60, required=True)
    name = text(200, required=True)
    parent_unit_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=60))
    kind = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    serves_public = fields.Boolean(load_default=False)


class UnitRegisteredV1(UnitSchema):
    pass


class UnitChangedV1(UnitSchema):
    changed = fields.List(fields.String(), required=True)


class EmployeeSchema(ma.Schema):
    """The employee as registered now: identity, position, unit and atasan."""

    nip = nip_field(required=True)
    name = text(200, required=True)
    employee_type = choice(EmployeeType, required=True)
    unit_id = text(60, required=True)
    unit_name = text(200, required=True)
    position_name = text(200, required=True)
    position_kind = choice(PositionKind, required=True)
    position_grade = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=60)
    )  # jenjang of a functional position (e.g. ahli_muda): rewards converts credit points by it
    is_unit_head = fields.Boolean(load_default=False)
    atasan_nip = nip_field(load_default=None, allow_none=True)
    atasan_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    email = fields.Email(load_default=None, allow_none=True)
    active = fields.Boolean(load_default=True)


class EmployeeRegisteredV1(EmployeeSchema):
    pass


class EmployeeMovedV1(EmployeeSchema):
    """Moved to another unit and/or position (the record shows where to)."""

    from_unit_id = text(60, required=True)
    from_position_name = text(200, required=True)


class EmployeeAtasanChangedV1(EmployeeSchema):
    from_atasan_nip = nip_field(load_default=None, allow_none=True)


class EmployeeUpdatedV1(EmployeeSchema):
    """Any other change of the record (name, e-mail, employee type, active)."""

    changed = fields.List(fields.String(), required=True)


DEFINITIONS = [
    EventDefinition("unit.registered", 1, UnitRegisteredV1, TOPIC, "unit_id", "A unit kerja was added to the tree."),
    EventDefinition(
        "unit.changed",
        1,
        UnitChangedV1,
        TOPIC,
        "unit_id",
        "A unit kerja was renamed, moved in the tree or reclassified.",
    ),
    EventDefinition(
        "employee.registered", 1, EmployeeRegisteredV1, TOPIC, "nip", "An employee (PNS or PPPK) was registered."
    ),
    EventDefinition(
        "employee.moved", 1, EmployeeMovedV1, TOPIC, "nip", "An employee moved to another unit or position."
    ),
    EventDefinition(
        "employee.atasan_changed", 1, EmployeeAtasanChangedV1, TOPIC, "nip", "An employee's atasan changed."
    ),
    EventDefinition("employee.updated", 1, EmployeeUpdatedV1, TOPIC, "nip", "An employee's other details changed."),
]
