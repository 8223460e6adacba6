"""The organisation register: unit kerja (a tree per instansi) and employees with position and atasan.

Both are event-sourced aggregates. Their ids are namespaced by the instansi (tenant), so two
instansi can register the same unit code — and, in a move between instansi, the same NIP —
without colliding: `unit:<tenant>:<unit_id>`, `employee:<tenant>:<nip>`.

Who appraises whom follows the position ladder pelaksana/fungsional → pengawas → administrator
→ JPT (`atasan_problem`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shared.aggregate import Aggregate
from shared.contracts.vocabulary import PositionKind
from shared.errors import DomainError

UNIT_ID_PATTERN = r"^[A-Za-z0-9._-]{1,60}$"  # unit codes travel in URLs
UNIT_FIELDS = ("name", "parent_unit_id", "kind", "serves_public")
# Which field changes make which event; each event carries the whole record after the change.
MOVE_FIELDS = ("unit_id", "unit_name", "position_name", "position_kind", "position_grade", "is_unit_head")
ATASAN_FIELDS = ("atasan_nip", "atasan_name")
DETAIL_FIELDS = ("name", "employee_type", "email", "active")
EMPLOYEE_FIELDS = ("nip", "name", "employee_type", *MOVE_FIELDS, *ATASAN_FIELDS, "email", "active")
# Denormalised names follow their unit / atasan; a change of them alone is not an event of the employee.
DERIVED_FIELDS = ("unit_name", "atasan_name")


def unit_aggregate_id(tenant: str, unit_id: str) -> str:
    return f"unit:{tenant}:{unit_id}"


def employee_aggregate_id(tenant: str, nip: str) -> str:
    return f"employee:{tenant}:{nip}"


class Unit(Aggregate):
    aggregate_type = "unit"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.tenant = ""
        self.unit_id = ""
        self.name = ""
        self.parent_unit_id: str | None = None
        self.kind: str | None = None
        self.serves_public = False
        # The integration event for each pending domain event: (event type, payload).
        self.published: list[tuple[str, dict[str, Any]]] = []

    @classmethod
    def register(cls, tenant: str, data: Mapping[str, Any]) -> Unit:
        unit = cls(unit_aggregate_id(tenant, data["unit_id"]))
        if data.get("parent_unit_id") == data["unit_id"]:
            raise _unit_cycle(data["unit_id"])
        unit._record(
            "unit.registered",
            tenant=tenant,
            unit_id=data["unit_id"],
            **{name: data.get(name, False if name == "serves_public" else None) for name in UNIT_FIELDS},
        )
        unit.published.append(("unit.registered", unit.record()))
        return unit

    @classmethod
    def from_snapshot(cls, tenant: str, row: Mapping[str, Any]) -> Unit:
        """State as the read model holds it (kept in step with the events in the same transaction)."""
        unit = cls(unit_aggregate_id(tenant, row["unit_id"]))
        unit._on_unit_registered({"tenant": tenant, **{k: row[k] for k in ("unit_id", *UNIT_FIELDS)}})
        unit.version = row["version"]
        return unit

    def change(self, data: Mapping[str, Any]) -> list[str]:
        changed = [name for name in UNIT_FIELDS if name in data and data[name] != getattr(self, name)]
        if changed:
            self._record("unit.changed", changed=changed, **{name: data[name] for name in changed})
            self.published.append(("unit.changed", {**self.record(), "changed": changed}))
        return changed

    def record(self) -> dict[str, Any]:
        return {"unit_id": self.unit_id, **{name: getattr(self, name) for name in UNIT_FIELDS}}

    def _on_unit_registered(self, data: dict[str, Any]) -> None:
        self.tenant, self.unit_id = data["tenant"], data["unit_id"]
        for name in UNIT_FIELDS:
            setattr(self, name, data[name])

    def _on_unit_changed(self, data: dict[str, Any]) -> None:
        for name in data["changed"]:
            setattr(self, name, data[name])


def _unit_cycle(unit_id: str) -> DomainError:
    return DomainError(
        "unit_cycle",
        f"Unit '{unit_id}' tidak boleh menjadi induk dari dirinya sendiri (langsung atau lewat unit lain).",
        f"Unit '{unit_id}' cannot be its own parent (directly or through other units).",
        field="parent_unit_id",
    )


def check_unit_parent(unit_id: str, parent_unit_id: str | None, parents: Mapping[str, str | None]) -> None:
    """The parent must exist and must not lie below the unit. `parents`: unit_id → parent of every unit."""
    if parent_unit_id is None:
        return
    if parent_unit_id not in parents and parent_unit_id != unit_id:
        raise DomainError(
            "unit_parent_unknown",
            f"Unit induk '{parent_unit_id}' belum terdaftar.",
            f"Parent unit '{parent_unit_id}' is not registered.",
            field="parent_unit_id",
        )
    seen: set[str] = set()
    current: str | None = parent_unit_id
    while current is not None and current not in seen:
        if current == unit_id:
            raise _unit_cycle(unit_id)
        seen.add(current)
        current = parents.get(current)


class Employee(Aggregate):
    aggregate_type = "employee"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.tenant = ""
        self.data: dict[str, Any] = {}
        # The integration event for each pending domain event: (event type, payload).
        self.published: list[tuple[str, dict[str, Any]]] = []

    @classmethod
    def register(cls, tenant: str, record: Mapping[str, Any]) -> Employee:
        employee = cls(employee_aggregate_id(tenant, record["nip"]))
        full = {name: record.get(name) for name in EMPLOYEE_FIELDS}
        full["is_unit_head"] = bool(full["is_unit_head"])
        full["active"] = True if full["active"] is None else full["active"]
        employee._record("employee.registered", tenant=tenant, record=full)
        employee.published.append(("employee.registered", dict(full)))
        return employee

    @classmethod
    def from_snapshot(cls, tenant: str, row: Mapping[str, Any]) -> Employee:
        employee = cls(employee_aggregate_id(tenant, row["nip"]))
        employee._on_employee_registered({"tenant": tenant, "record": {k: row[k] for k in EMPLOYEE_FIELDS}})
        employee.version = row["version"]
        return employee

    @property
    def nip(self) -> str:
        return str(self.data["nip"])

    @property
    def active(self) -> bool:
        return bool(self.data["active"])

    def record(self) -> dict[str, Any]:
        return dict(self.data)

    def apply(self, wanted: Mapping[str, Any]) -> list[str]:
        """Bring the record to `wanted` (fields absent from it stay): moved, atasan_changed and
        updated events as needed, in that order. Returns the event types recorded.

        The unit's and the atasan's names are copies: a change of them alone is no event of the
        employee (unit.changed / the atasan's own event say it), but the next event refreshes them."""
        if wanted.get("atasan_nip", self.data["atasan_nip"]) == self.nip:
            raise DomainError(
                "atasan_is_self",
                "Pegawai tidak dapat menjadi atasan dirinya sendiri.",
                "An employee cannot be their own atasan.",
                field="atasan_nip",
            )
        refresh = {n: wanted[n] for n in DERIVED_FIELDS if n in wanted and wanted[n] != self.data[n]}
        plan = [
            ("employee.moved", self._diff(wanted, MOVE_FIELDS)),
            ("employee.atasan_changed", self._diff(wanted, ("atasan_nip",))),
            ("employee.updated", self._diff(wanted, DETAIL_FIELDS)),
        ]
        recorded = []
        for event_type, names in plan:
            if not names:
                continue
            before = self.record()
            changes = {**refresh, **{name: wanted[name] for name in names}}
            if event_type == "employee.atasan_changed":
                changes["atasan_name"] = wanted.get("atasan_name")
            refresh = {}
            self._record(event_type, changes=changes)
            extra: dict[str, Any] = {}
            if event_type == "employee.moved":
                extra = {"from_unit_id": before["unit_id"], "from_position_name": before["position_name"]}
            elif event_type == "employee.atasan_changed":
                extra = {"from_atasan_nip": before["atasan_nip"]}
            else:
                extra = {"changed": names}
            self.published.append((event_type, {**self.record(), **extra}))
            recorded.append(event_type)
        return recorded

    def _diff(self, wanted: Mapping[str, Any], names: Iterable[str]) -> list[str]:
        return [n for n in names if n in wanted and n not in DERIVED_FIELDS and wanted[n] != self.data[n]]

    def deactivate(self) -> list[str]:
        if not self.active:
            raise DomainError(
                "employee_inactive",
                f"Pegawai {self.nip} sudah nonaktif.",
                f"Employee {self.nip} is already inactive.",
            )
        return self.apply({"active": False})

    def _on_employee_registered(self, data: dict[str, Any]) -> None:
        self.tenant = data["tenant"]
        self.data = dict(data["record"])

    def _on_employee_moved(self, data: dict[str, Any]) -> None:
        self.data.update(data["changes"])

    _on_employee_atasan_changed = _on_employee_moved
    _on_employee_updated = _on_employee_moved


# -- atasan validity -----------------------------------------------------------------------
LADDER = {
    PositionKind.PELAKSANA: 1,
    PositionKind.FUNGSIONAL: 1,
    PositionKind.PENGAWAS: 2,
    PositionKind.ADMINISTRATOR: 3,
    PositionKind.JPT: 4,
}
UNIT_HEAD_RANK = LADDER[PositionKind.PENGAWAS]


@dataclass(frozen=True)
class AtasanProblem:
    code: str
    message_id: str
    message_en: str


def _rank(employee: Mapping[str, Any]) -> int:
    """A unit head ranks at least as a pengawas: a kepala sekolah or kepala puskesmas is often a
    fungsional (teacher, doctor) yet is the atasan of the unit's staff."""
    rank = LADDER[PositionKind(employee["position_kind"])]
    return max(rank, UNIT_HEAD_RANK) if employee.get("is_unit_head") else rank


def is_top_official(employee: Mapping[str, Any], units: Mapping[str, Mapping[str, Any]]) -> bool:
    """The Sekda (or the head of the instansi's root unit) is appraised by the head of region, who
    has no NIP: a JPT heading a root unit of the tree needs no atasan in the register."""
    unit = units.get(employee["unit_id"])
    return (
        employee["position_kind"] == PositionKind.JPT
        and bool(employee.get("is_unit_head"))
        and unit is not None
        and unit.get("parent_unit_id") is None
    )


def atasan_problem(
    employee: Mapping[str, Any],
    employees: Mapping[str, Mapping[str, Any]],
    units: Mapping[str, Mapping[str, Any]],
) -> AtasanProblem | None:
    """Why this employee's atasan is not valid, or None. `employees`/`units`: the instansi's register by key."""
    nip, atasan_nip = employee["nip"], employee.get("atasan_nip")
    if not atasan_nip:
        if is_top_official(employee, units):
            return None
        return AtasanProblem("atasan_missing", "Atasan belum diisi.", "No atasan is set.")
    if atasan_nip == nip:
        return AtasanProblem("atasan_is_self", "Atasan adalah pegawai itu sendiri.", "The atasan is the employee.")
    atasan = employees.get(atasan_nip)
    if atasan is None:
        return AtasanProblem(
            "atasan_not_registered",
            f"Atasan {atasan_nip} tidak terdaftar di instansi ini.",
            f"Atasan {atasan_nip} is not registered in this instansi.",
        )
    if not atasan.get("active", True):
        return AtasanProblem(
            "atasan_inactive", f"Atasan {atasan_nip} sudah nonaktif.", f"Atasan {atasan_nip} is inactive."
        )
    seen = {nip}
    current: Mapping[str, Any] | None = atasan
    while current is not None and current.get("atasan_nip"):
        if current["atasan_nip"] in seen:
            if current["atasan_nip"] == nip:
                return AtasanProblem(
                    "atasan_cycle",
                    f"Rantai atasan kembali ke pegawai ini lewat {current['nip']}.",
                    f"The chain of atasan leads back to this employee through {current['nip']}.",
                )
            break  # a cycle further up: reported for the employees in it
        seen.add(current["atasan_nip"])
        current = employees.get(current["atasan_nip"])
    own, above = _rank(employee), _rank(atasan)
    top = LADDER[PositionKind.JPT]
    if not (above > own or (own == top and above == top)):
        return AtasanProblem(
            "atasan_not_above",
            f"Atasan {atasan_nip} ({atasan['position_kind']}) tidak lebih tinggi dari jabatan "
            f"{employee['position_kind']} pada jenjang pelaksana/fungsional → pengawas → administrator → JPT.",
            f"Atasan {atasan_nip} ({atasan['position_kind']}) is not above {employee['position_kind']} on the "
            "ladder pelaksana/fungsional → pengawas → administrator → JPT.",
        )
    return None
