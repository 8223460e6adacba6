"""Organisation register rules without I/O: unit tree, employee events, atasan validity."""

from __future__ import annotations

from typing import Any

import pytest

from services.planning.domain.organisation import Employee, Unit, atasan_problem, check_unit_parent
from shared.errors import DomainError

SEKDA, KADIS, KABID, KASI, STAFF, GURU, KEPSEK = (
    "197001011995031001",
    "197505052000031002",
    "197806062003121003",
    "198001012005011004",
    "199001012015032005",
    "199712202023212008",
    "198202022008012006",
)
UNITS = {
    "SETDA": {"unit_id": "SETDA", "parent_unit_id": None},
    "DINKES": {"unit_id": "DINKES", "parent_unit_id": "SETDA"},
    "SD1": {"unit_id": "SD1", "parent_unit_id": "DINKES"},
}


def person(nip: str, kind: str, atasan: str | None, unit: str = "DINKES", head: bool = False) -> dict[str, Any]:
    return {
        "nip": nip, "name": nip[-3:], "position_kind": kind, "atasan_nip": atasan, "unit_id": unit,
        "is_unit_head": head, "active": True,
    }  # fmt: skip


def register() -> dict[str, dict[str, Any]]:
    people = [
        person(SEKDA, "jpt", None, "SETDA", head=True),
        person(KADIS, "jpt", SEKDA, head=True),
        person(KABID, "administrator", KADIS),
        person(KASI, "pengawas", KABID),
        person(STAFF, "pelaksana", KASI),
        person(KEPSEK, "fungsional", KADIS, "SD1", head=True),
        person(GURU, "fungsional", KEPSEK, "SD1"),
    ]
    return {p["nip"]: p for p in people}


def problem(employees: dict[str, dict[str, Any]], nip: str) -> str | None:
    found = atasan_problem(employees[nip], employees, UNITS)
    return found.code if found else None


def test_a_well_formed_organisation_has_no_atasan_problems() -> None:
    employees = register()
    assert [problem(employees, nip) for nip in employees] == [None] * len(employees)


def test_only_a_jpt_heading_a_root_unit_goes_without_an_atasan() -> None:
    employees = register()
    employees[KADIS]["atasan_nip"] = None  # a kepala dinas without the Sekda above is a mistake
    assert problem(employees, KADIS) == "atasan_missing"
    assert problem(employees, SEKDA) is None
    employees[SEKDA]["is_unit_head"] = False
    assert problem(employees, SEKDA) == "atasan_missing"


@pytest.mark.parametrize(
    ("change", "nip", "expected"),
    [
        ({STAFF: {"atasan_nip": None}}, STAFF, "atasan_missing"),
        ({STAFF: {"atasan_nip": "199101012015031001"}}, STAFF, "atasan_not_registered"),
        ({KASI: {"active": False}}, STAFF, "atasan_inactive"),
        ({STAFF: {"atasan_nip": STAFF}}, STAFF, "atasan_is_self"),
        ({KABID: {"atasan_nip": KASI}}, KASI, "atasan_cycle"),
        ({KABID: {"atasan_nip": KASI}}, KABID, "atasan_cycle"),
        ({STAFF: {"atasan_nip": GURU}}, STAFF, "atasan_not_above"),  # a teacher is not above a pelaksana
        ({KASI: {"atasan_nip": GURU}}, KASI, "atasan_not_above"),
        ({KABID: {"atasan_nip": SEKDA}, KADIS: {"atasan_nip": KABID}}, KADIS, "atasan_not_above"),  # JPT under JPT
    ],
)
def test_each_reason_an_atasan_is_not_valid(change: dict[str, dict[str, Any]], nip: str, expected: str) -> None:
    employees = register()
    for who, fields in change.items():
        employees[who].update(fields)
    assert problem(employees, nip) == expected


def test_a_unit_head_who_is_fungsional_is_the_atasan_of_the_unit_staff() -> None:
    employees = register()
    assert problem(employees, GURU) is None
    employees[KEPSEK]["is_unit_head"] = False
    assert problem(employees, GURU) == "atasan_not_above"


def test_units_refuse_unknown_parents_and_cycles() -> None:
    parents = {"SETDA": None, "DINKES": "SETDA", "SD1": "DINKES"}
    check_unit_parent("NEW", "DINKES", parents)
    with pytest.raises(DomainError, match="not registered"):
        check_unit_parent("NEW", "NOPE", parents)
    with pytest.raises(DomainError) as caught:
        check_unit_parent("SETDA", "SD1", parents)
    assert caught.value.code == "unit_cycle"
    with pytest.raises(DomainError):
        Unit.register("1671", {"unit_id": "X", "name": "X", "parent_unit_id": "X"})


def test_unit_changes_publish_only_what_changed() -> None:
    unit = Unit.register("1671", {"unit_id": "DINKES", "name": "Dinkes", "parent_unit_id": "SETDA"})
    assert unit.id == "unit:1671:DINKES"
    assert unit.change({"name": "Dinkes", "parent_unit_id": "SETDA"}) == []
    assert unit.change({"name": "Dinas Kesehatan", "serves_public": True}) == ["name", "serves_public"]
    assert [t for t, _ in unit.published] == ["unit.registered", "unit.changed"]
    assert unit.published[-1][1]["changed"] == ["name", "serves_public"]


RECORD = {
    "nip": STAFF, "name": "Siti", "employee_type": "pns", "unit_id": "DINKES", "unit_name": "Dinas Kesehatan",
    "position_name": "Pengelola Data", "position_kind": "pelaksana", "position_grade": None, "is_unit_head": False,
    "atasan_nip": KASI, "atasan_name": "Budi", "email": None,
}  # fmt: skip


def test_employee_changes_make_moved_atasan_changed_and_updated_each_with_the_whole_record() -> None:
    employee = Employee.register("1671", RECORD)
    assert employee.id == f"employee:1671:{STAFF}"
    assert employee.record()["active"] is True
    employee.published = []
    assert employee.apply(RECORD) == []  # same record: nothing
    assert employee.apply({**RECORD, "unit_name": "Renamed unit", "atasan_name": "Renamed atasan"}) == []
    recorded = employee.apply(
        {**RECORD, "unit_id": "SD1", "unit_name": "SD 1", "atasan_nip": KEPSEK, "atasan_name": "Ani", "name": "Siti A"}
    )
    assert recorded == ["employee.moved", "employee.atasan_changed", "employee.updated"]
    moved, atasan, updated = (payload for _, payload in employee.published)
    assert (moved["from_unit_id"], moved["unit_id"], moved["unit_name"], moved["atasan_nip"]) == (
        "DINKES", "SD1", "SD 1", KASI,
    )  # fmt: skip
    assert (atasan["from_atasan_nip"], atasan["atasan_nip"], atasan["atasan_name"]) == (KASI, KEPSEK, "Ani")
    assert (updated["changed"], updated["name"], updated["unit_id"]) == (["name"], "Siti A", "SD1")
    rebuilt = Employee.rehydrate(employee.id, employee.pending)  # the events alone give the same state
    assert rebuilt.record() == employee.record()
    assert rebuilt.version == 4


def test_an_employee_cannot_be_their_own_atasan_and_deactivates_once() -> None:
    employee = Employee.register("1671", RECORD)
    with pytest.raises(DomainError, match="own atasan"):
        employee.apply({"atasan_nip": STAFF})
    assert employee.deactivate() == ["employee.updated"]
    assert employee.published[-1][1]["changed"] == ["active"]
    with pytest.raises(DomainError):
        employee.deactivate()
