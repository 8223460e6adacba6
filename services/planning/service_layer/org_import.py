"""Bulk import of a whole organisation: rules per row and across rows, then one bulk write.

All or nothing by default: any rejected row and nothing is stored. With keep_valid the valid rows
are stored (rows that depend on a rejected row — its atasan, its unit's parent — are rejected too).
A dry run checks and reports without storing. The existing register is read in one query per
table; events, outbox rows and read-model rows are written in bulk statements. Re-importing the
same file records and publishes nothing; a changed row gives employee.moved / atasan_changed /
updated (and unit.changed for changed unit columns). Employees absent from the file are left as
they are (deactivate them through the API).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from marshmallow import ValidationError, validate

from services.planning.adapters import organisation_view as view
from services.planning.adapters.org_import import RawRow
from services.planning.domain.organisation import UNIT_ID_PATTERN, Employee, Unit, atasan_problem
from services.planning.service_layer.organisation import store
from shared.contracts.vocabulary import EmployeeType, PositionKind
from shared.errors import DomainError
from shared.nip import NipError, check_nip_kind, parse_nip
from shared.storage.unit_of_work import UnitOfWork

Progress = Callable[[str, int, int], None]  # (stage, done, total)
WRITE_CHUNK = 2000

_TRUE = {"ya", "y", "yes", "true", "1", "benar", "iya"}
_FALSE = {"tidak", "t", "no", "n", "false", "0", "salah", "bukan"}
_EMPLOYEE_TYPES = {
    "pns": EmployeeType.PNS,
    "cpns": EmployeeType.PNS,
    "pppk": EmployeeType.PPPK,
    "p3k": EmployeeType.PPPK,
}
_POSITION_KINDS = {
    "jpt": PositionKind.JPT,
    "jabatan pimpinan tinggi": PositionKind.JPT,
    "pimpinan tinggi": PositionKind.JPT,
    "jpt pratama": PositionKind.JPT,
    "jpt madya": PositionKind.JPT,
    "administrator": PositionKind.ADMINISTRATOR,
    "jabatan administrator": PositionKind.ADMINISTRATOR,
    "pengawas": PositionKind.PENGAWAS,
    "jabatan pengawas": PositionKind.PENGAWAS,
    "pelaksana": PositionKind.PELAKSANA,
    "jabatan pelaksana": PositionKind.PELAKSANA,
    "jfu": PositionKind.PELAKSANA,
    "fungsional umum": PositionKind.PELAKSANA,
    "fungsional": PositionKind.FUNGSIONAL,
    "jabatan fungsional": PositionKind.FUNGSIONAL,
    "jft": PositionKind.FUNGSIONAL,
    "jf": PositionKind.FUNGSIONAL,
    "fungsional tertentu": PositionKind.FUNGSIONAL,
}
_EMAIL = validate.Email()
UNIT_COLUMNS = {
    "unit_name": "name",
    "parent_unit_id": "parent_unit_id",
    "unit_kind": "kind",
    "serves_public": "serves_public",
}


@dataclass(frozen=True)
class RowError:
    line: int
    nip: str | None
    field: str
    code: str
    message_id: str
    message_en: str


@dataclass
class ImportReport:
    rows: int = 0
    accepted: int = 0
    rejected_rows: int = 0
    units_registered: int = 0
    units_changed: int = 0
    employees_registered: int = 0
    employees_moved: int = 0
    employees_atasan_changed: int = 0
    employees_updated: int = 0
    employees_unchanged: int = 0
    events_published: int = 0
    # Active employees of the whole register (after this import) whose atasan is not valid; the
    # list with reasons is GET /api/v1/organisation/employees/without-valid-atasan.
    employees_without_valid_atasan: int = 0
    stored: bool = False
    dry_run: bool = False
    keep_valid: bool = False
    rejected: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Row:
    raw: RawRow
    unit_id: str | None = None
    unit: dict[str, Any] = field(default_factory=dict)  # unit columns given on this row (domain names)
    employee: dict[str, Any] | None = None  # None: a unit-only row
    errors: list[RowError] = field(default_factory=list)

    def reject(self, field_name: str, code: str, message_id: str, message_en: str) -> None:
        nip = self.raw.values.get("nip")
        self.errors.append(RowError(self.raw.line, nip, field_name, code, message_id, message_en))


def _required(row: _Row, name: str, label_id: str, max_length: int = 200) -> str | None:
    value = row.raw.values.get(name)
    if value is None:
        row.reject(name, "required", f"{label_id} wajib diisi.", f"{name} is required.")
    elif len(value) > max_length:
        row.reject(
            name, "too_long", f"{label_id} melebihi {max_length} karakter.", f"{name} exceeds {max_length} characters."
        )
        return None
    return value


def _boolean(row: _Row, name: str, default: bool | None) -> bool | None:
    value = row.raw.values.get(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    row.reject(name, "boolean_invalid", f"'{value}' harus Ya atau Tidak.", f"'{value}' must be Ya (yes) or Tidak (no).")
    return default


def _check_row(raw: RawRow) -> _Row:
    row = _Row(raw)
    for problem in raw.problems:
        row.reject(problem.field, problem.code, problem.message_id, problem.message_en)
    v = raw.values
    row.unit_id = _required(row, "unit_id", "Kode Unit", 60)
    if row.unit_id and not re.match(UNIT_ID_PATTERN, row.unit_id):
        row.reject(
            "unit_id", "unit_id_invalid",
            f"Kode Unit '{row.unit_id}' hanya boleh berisi huruf, angka, titik, garis bawah atau strip.",
            f"Unit code '{row.unit_id}' may contain only letters, digits, dots, underscores or dashes.",
        )  # fmt: skip
    for column, attribute in UNIT_COLUMNS.items():
        if column == "serves_public":
            flag = _boolean(row, column, None)
            if flag is not None:
                row.unit[attribute] = flag
        elif v.get(column) is not None:
            row.unit[attribute] = v[column]
    for column, attribute, limit in (("unit_name", "name", 200), ("unit_kind", "kind", 60)):
        if len(row.unit.get(attribute) or "") > limit:
            row.reject(
                column, "too_long", f"{column} melebihi {limit} karakter.", f"{column} exceeds {limit} characters."
            )
    employee_columns = ("nip", "name", "employee_type", "position_name", "position_kind", "atasan_nip", "email")
    if all(v.get(name) is None for name in employee_columns) and not any(p.field == "nip" for p in raw.problems):
        return row  # a row that only defines a unit (e.g. a root unit without staff of its own)

    nip = v.get("nip")
    employee_type = _EMPLOYEE_TYPES.get((v.get("employee_type") or "").lower())
    if v.get("employee_type") is None:
        row.reject("employee_type", "required", "Jenis Pegawai wajib diisi (PNS/PPPK).", "employee_type is required.")
    elif employee_type is None:
        row.reject(
            "employee_type", "employee_type_invalid", f"Jenis Pegawai '{v['employee_type']}' harus PNS atau PPPK.",
            f"Employee type '{v['employee_type']}' must be PNS or PPPK.",
        )  # fmt: skip
    if nip is None:
        if not any(p.field == "nip" for p in raw.problems):
            row.reject("nip", "required", "NIP wajib diisi.", "nip is required.")
    else:
        try:
            parsed = parse_nip(nip)
            mismatch = check_nip_kind(parsed, employee_type.value) if employee_type else None
            if mismatch:
                row.reject("nip", mismatch.code, mismatch.message_id, mismatch.message_en)
        except NipError as exc:
            row.reject("nip", exc.code, exc.message_id, exc.message_en)
    atasan_nip = v.get("atasan_nip")
    if atasan_nip is not None:
        try:
            parse_nip(atasan_nip)
        except NipError as exc:
            row.reject("atasan_nip", exc.code, exc.message_id, exc.message_en)
        if atasan_nip == nip:
            row.reject(
                "atasan_nip", "atasan_is_self", "NIP Atasan sama dengan NIP pegawai.", "The atasan is the employee."
            )
    name = _required(row, "name", "Nama")
    position_name = _required(row, "position_name", "Jabatan")
    kind_text = v.get("position_kind")
    position_kind = _POSITION_KINDS.get(" ".join((kind_text or "").lower().split()))
    if kind_text is None:
        row.reject("position_kind", "required", "Jenis Jabatan wajib diisi.", "position_kind is required.")
    elif position_kind is None:
        row.reject(
            "position_kind", "position_kind_invalid",
            f"Jenis Jabatan '{kind_text}' harus JPT, Administrator, Pengawas, Pelaksana atau Fungsional.",
            f"Position kind '{kind_text}' must be JPT, Administrator, Pengawas, Pelaksana or Fungsional.",
        )  # fmt: skip
    grade = v.get("position_grade")
    if grade is not None:
        grade = "_".join(grade.lower().split())[:60]
    email = v.get("email")
    if email is not None:
        try:
            _EMAIL(email)
        except ValidationError:
            row.reject("email", "email_invalid", f"Email '{email}' tidak valid.", f"E-mail '{email}' is not valid.")
    row.employee = {
        "nip": nip,
        "name": name,
        "employee_type": employee_type.value if employee_type else None,
        "unit_id": row.unit_id,
        "position_name": position_name,
        "position_kind": position_kind.value if position_kind else None,
        "position_grade": grade,
        "is_unit_head": _boolean(row, "is_unit_head", False),
        "atasan_nip": atasan_nip,
        "email": email,
        "active": _boolean(row, "active", True),
    }
    return row


def _reject_all(rows: Sequence[_Row], field_name: str, code: str, message_id: str, message_en: str) -> None:
    for row in rows:
        if not any(e.code == code for e in row.errors):
            row.reject(field_name, code, message_id, message_en)


def import_organisation(
    uow: UnitOfWork,
    tenant: str,
    actor: str | None,
    raw_rows: Sequence[RawRow],
    *,
    keep_valid: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    report = ImportReport(rows=len(raw_rows), dry_run=dry_run, keep_valid=keep_valid)
    tick = progress or (lambda _stage, _done, _total: None)
    rows = []
    for done, raw in enumerate(raw_rows, start=1):
        rows.append(_check_row(raw))
        if done % 500 == 0 or done == len(raw_rows):
            tick("check", done, len(raw_rows))

    with uow:
        existing_units = view.all_units(uow.session, tenant)
        existing_employees = view.all_employees(uow.session, tenant)
        units, employees = _resolve(tenant, rows, existing_units, existing_employees)
        rejected = [row for row in rows if row.errors]
        report.rejected = [error for row in rejected for error in row.errors]
        report.rejected_rows = len(rejected)
        report.accepted = len(rows) - len(rejected)
        _count(report, units, employees, existing_units, existing_employees)
        after = existing_employees | {employee.nip: employee.record() for employee in employees}
        units_after = existing_units | {unit.unit_id: unit.record() for unit in units}
        report.employees_without_valid_atasan = sum(
            1 for e in after.values() if e["active"] and atasan_problem(e, after, units_after) is not None
        )
        if dry_run or (rejected and not keep_valid):
            return report
        changed_units = [u for u in units if u.pending]
        changed = [e for e in employees if e.pending]
        total = len(changed_units) + len(changed)
        report.events_published += store(uow, tenant, actor, changed_units, [])
        for start in range(0, len(changed), WRITE_CHUNK):
            report.events_published += store(uow, tenant, actor, [], changed[start : start + WRITE_CHUNK])
            tick("write", len(changed_units) + min(start + WRITE_CHUNK, len(changed)), total)
        uow.commit()
        report.stored = True
    return report


def _count(
    report: ImportReport,
    units: Sequence[Unit],
    employees: Sequence[Employee],
    existing_units: dict[str, Any],
    existing_employees: dict[str, Any],
) -> None:
    for unit in units:
        if unit.unit_id not in existing_units:
            report.units_registered += 1
        elif unit.pending:
            report.units_changed += 1
    for employee in employees:
        kinds = Counter(event_type for event_type, _ in employee.published)
        report.employees_registered += kinds["employee.registered"]
        report.employees_moved += kinds["employee.moved"]
        report.employees_atasan_changed += kinds["employee.atasan_changed"]
        report.employees_updated += kinds["employee.updated"]
        if not employee.published:
            report.employees_unchanged += 1


def _resolve(
    tenant: str,
    rows: list[_Row],
    existing_units: dict[str, dict[str, Any]],
    existing_employees: dict[str, dict[str, Any]],
) -> tuple[list[Unit], list[Employee]]:
    """Rules across rows; returns the aggregates of the valid rows with their pending changes."""
    by_unit: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        if row.unit_id:
            by_unit[row.unit_id].append(row)

    # One definition per unit: the first row giving a column defines it; a different value later is refused.
    unit_defs: dict[str, dict[str, Any]] = {}
    for unit_id, unit_rows in by_unit.items():
        definition: dict[str, Any] = {}
        origin: dict[str, int] = {}
        for row in unit_rows:
            for attribute, value in row.unit.items():
                if attribute not in definition:
                    definition[attribute], origin[attribute] = value, row.raw.line
                elif definition[attribute] != value:
                    column = next(c for c, a in UNIT_COLUMNS.items() if a == attribute)
                    row.reject(
                        column, "unit_conflict",
                        f"Unit '{unit_id}': '{value}' berbeda dari baris {origin[attribute]} "
                        f"('{definition[attribute]}').",
                        f"Unit '{unit_id}': '{value}' differs from line {origin[attribute]} "
                        f"('{definition[attribute]}').",
                    )  # fmt: skip
        if unit_id not in existing_units and not definition.get("name"):
            _reject_all(
                unit_rows, "unit_name", "unit_name_required",
                f"Unit baru '{unit_id}' perlu Nama Unit.", f"New unit '{unit_id}' needs a unit name.",
            )  # fmt: skip
        unit_defs[unit_id] = definition

    # Parents must exist (in the file or the register) and the tree must stay a tree.
    parents = {unit_id: unit["parent_unit_id"] for unit_id, unit in existing_units.items()}
    for unit_id, definition in unit_defs.items():
        if "parent_unit_id" in definition:
            parents[unit_id] = definition["parent_unit_id"]
        else:  # an empty cell keeps the registered parent (a new unit becomes a root)
            parents.setdefault(unit_id, None)
    bad_units: set[str] = set()
    for unit_id, definition in unit_defs.items():
        parent = definition.get("parent_unit_id")
        if parent is not None and parent not in parents:
            bad_units.add(unit_id)
            _reject_all(
                by_unit[unit_id], "parent_unit_id", "unit_parent_unknown",
                f"Unit induk '{parent}' tidak ada di berkas maupun di data instansi.",
                f"Parent unit '{parent}' is neither in the file nor registered.",
            )  # fmt: skip
        seen, current = {unit_id}, parents.get(unit_id)
        while current is not None:
            if current in seen:
                bad_units.add(unit_id)
                _reject_all(
                    by_unit[unit_id], "parent_unit_id", "unit_cycle",
                    f"Unit '{unit_id}' berada di dalam lingkaran unit induk.",
                    f"Unit '{unit_id}' lies in a cycle of parent units.",
                )  # fmt: skip
                break
            seen.add(current)
            current = parents.get(current)
    for unit_id in unit_defs:
        if any(row.errors and row.employee is None for row in by_unit[unit_id]):
            bad_units.add(unit_id)

    # Each NIP once in the file.
    nip_lines: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        if row.employee and row.employee["nip"]:
            nip_lines[row.employee["nip"]].append(row)
    for nip, same in nip_lines.items():
        if len(same) > 1:
            lines = ", ".join(str(r.raw.line) for r in same)
            _reject_all(
                same, "nip", "nip_duplicate_in_file",
                f"NIP {nip} muncul lebih dari sekali (baris {lines}).",
                f"NIP {nip} appears more than once (lines {lines}).",
            )  # fmt: skip

    # The atasan must be in the file or registered; a row whose atasan or unit is refused is refused too.
    changed = True
    while changed:
        newly_bad = {
            unit_id
            for unit_id in unit_defs
            if unit_id not in bad_units
            and unit_id not in existing_units
            and (parents.get(unit_id) in bad_units or all(row.errors for row in by_unit[unit_id]))
        }
        bad_units |= newly_bad
        changed = bool(newly_bad)
        for row in rows:
            if row.errors or row.employee is None:
                continue
            if row.unit_id in bad_units:
                row.reject("unit_id", "unit_rejected", f"Unit '{row.unit_id}' ditolak (lihat baris unit tersebut).",
                           f"Unit '{row.unit_id}' was rejected (see its rows).")  # fmt: skip
                changed = True
                continue
            atasan = row.employee["atasan_nip"]
            if atasan is None:
                continue
            in_file = nip_lines.get(atasan)
            if in_file is None and atasan not in existing_employees:
                row.reject("atasan_nip", "atasan_not_found",
                           f"NIP Atasan {atasan} tidak ada di berkas maupun di data instansi.",
                           f"Atasan {atasan} is neither in the file nor registered.")  # fmt: skip
                changed = True
            elif in_file and all(r.errors for r in in_file) and atasan not in existing_employees:
                row.reject("atasan_nip", "atasan_rejected", f"Baris atasan {atasan} ditolak.",
                           f"The row of atasan {atasan} was rejected.")  # fmt: skip
                changed = True

    # Aggregates with their changes.
    units: list[Unit] = []
    for unit_id, definition in unit_defs.items():
        if unit_id in bad_units or not any(not row.errors for row in by_unit[unit_id]):
            continue
        if unit_id in existing_units:
            unit = Unit.from_snapshot(tenant, existing_units[unit_id])
            unit.change(definition)
        else:
            unit = Unit.register(tenant, {"unit_id": unit_id, **definition})
        units.append(unit)
    unit_names = {u: d["name"] for u, d in existing_units.items()} | {u.unit_id: u.name for u in units}
    names = {nip: e["name"] for nip, e in existing_employees.items()}
    names |= {row.employee["nip"]: row.employee["name"] for row in rows if row.employee and not row.errors}
    employees: list[Employee] = []
    for row in rows:
        if row.errors or row.employee is None:
            continue
        wanted = {
            **row.employee,
            "unit_name": unit_names[row.employee["unit_id"]],
            "atasan_name": names.get(row.employee["atasan_nip"] or ""),
        }
        current = existing_employees.get(wanted["nip"])
        try:
            if current is None:
                employee = Employee.register(tenant, wanted)
            else:
                employee = Employee.from_snapshot(tenant, current)
                employee.apply(wanted)
        except DomainError as exc:
            row.reject(exc.field or "nip", exc.code, exc.message_id, exc.message_en)
            continue
        employees.append(employee)
    return units, employees
