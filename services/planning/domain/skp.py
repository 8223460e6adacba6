"""The SKP aggregate (Sasaran Kinerja Pegawai): one employee's plan for one period.

Workflow: draft → submitted → approved, or returned (with a reason) → revised → submitted again.
Realisasi is reported against an approved plan only. State is rebuilt from the SKP's own events.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.aggregate import Aggregate
from shared.errors import DomainError, Forbidden


class SkpStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


@dataclass(frozen=True)
class Person:
    nip: str
    name: str


def skp_id_for(nip: str, period_year: int) -> str:
    """One SKP per employee per period: the id says which, so a second draft conflicts."""
    return f"skp-{nip}-{period_year}"


def _number_plan(skp_id: str, rhk: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give every RHK and IKI an id that is stable within this version of the plan."""
    numbered = deepcopy(rhk)
    for i, item in enumerate(numbered, start=1):
        item["rhk_id"] = f"{skp_id}.rhk{i}"
        item.setdefault("intervenes_rhk_id", None)
        for j, iki in enumerate(item["iki"], start=1):
            iki["iki_id"] = f"{skp_id}.rhk{i}.iki{j}"
    return numbered


class Skp(Aggregate):
    aggregate_type = "skp"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.tenant = ""
        self.owner = Person("", "")
        self.atasan = Person("", "")
        self.unit = ""
        self.period_year = 0
        self.rhk: list[dict[str, Any]] = []
        self.status = SkpStatus.DRAFT
        self.return_reason: str | None = None
        self.realisasi: dict[str, dict[str, Any]] = {}  # "<iki_id>@Q<n>" -> latest report

    # --- commands ---------------------------------------------------------------------------

    @classmethod
    def draft(
        cls, *, tenant: str, owner: Person, atasan: Person, unit: str, period_year: int, rhk: list[dict[str, Any]]
    ) -> Skp:
        if owner.nip == atasan.nip:
            raise DomainError(
                "atasan_is_self",
                "Atasan tidak boleh diri sendiri.",
                "The atasan cannot be the employee themself.",
                field="atasan.nip",
            )
        skp = cls(skp_id_for(owner.nip, period_year))
        skp._record(
            "skp.drafted",
            tenant=tenant,
            owner={"nip": owner.nip, "name": owner.name},
            atasan={"nip": atasan.nip, "name": atasan.name},
            unit=unit,
            period_year=period_year,
            rhk=_number_plan(skp.id, rhk),
        )
        return skp

    def revise(self, by_nip: str, rhk: list[dict[str, Any]]) -> None:
        self._require_owner(by_nip)
        self._require_status({SkpStatus.DRAFT, SkpStatus.RETURNED}, "direvisi", "revised")
        self._record("skp.revised", rhk=_number_plan(self.id, rhk))

    def submit(self, by_nip: str) -> None:
        self._require_owner(by_nip)
        self._require_status({SkpStatus.DRAFT, SkpStatus.RETURNED}, "diajukan", "submitted")
        self._record("skp.submitted", by=by_nip)

    def approve(self, by_nip: str) -> None:
        self._require_atasan(by_nip)
        self._require_status({SkpStatus.SUBMITTED}, "disetujui", "approved")
        self._record("skp.approved", by=by_nip)

    def return_to_employee(self, by_nip: str, reason: str) -> None:
        self._require_atasan(by_nip)
        self._require_status({SkpStatus.SUBMITTED}, "dikembalikan", "returned")
        self._record("skp.returned", by=by_nip, reason=reason)

    def report_progress(
        self, by_nip: str, *, quarter: int, iki_id: str, value: float, note: str | None, evidence_url: str | None
    ) -> dict[str, Any]:
        self._require_owner(by_nip)
        self._require_status({SkpStatus.APPROVED}, "diisi realisasinya", "given realisasi")
        rhk = self.rhk_of(iki_id)
        if rhk is None:
            raise DomainError(
                "unknown_iki",
                f"IKI '{iki_id}' tidak ada di SKP ini.",
                f"IKI '{iki_id}' is not part of this SKP.",
                field="iki_id",
            )
        self._record(
            "skp.progress_reported",
            quarter=quarter,
            rhk_id=rhk["rhk_id"],
            iki_id=iki_id,
            value=value,
            note=note,
            evidence_url=evidence_url,
        )
        return self.realisasi[f"{iki_id}@Q{quarter}"]

    # --- queries ----------------------------------------------------------------------------

    def rhk_of(self, iki_id: str) -> dict[str, Any] | None:
        return next((r for r in self.rhk if any(i["iki_id"] == iki_id for i in r["iki"])), None)

    def plan_payload(self) -> dict[str, Any]:
        return {
            "skp_id": self.id,
            "nip": self.owner.nip,
            "employee_name": self.owner.name,
            "atasan_nip": self.atasan.nip,
            "atasan_name": self.atasan.name,
            "unit": self.unit,
            "period_year": self.period_year,
            "rhk": deepcopy(self.rhk),
        }

    # --- rules ------------------------------------------------------------------------------

    def _require_owner(self, nip: str) -> None:
        if nip != self.owner.nip:
            raise Forbidden("Hanya pemilik SKP yang dapat melakukan ini.", "Only the SKP's owner may do this.")

    def _require_atasan(self, nip: str) -> None:
        if nip != self.atasan.nip:
            raise Forbidden(
                "Hanya atasan (pejabat penilai) pegawai ini yang dapat melakukan ini.",
                "Only this employee's atasan (appraiser) may do this.",
            )

    def _require_status(self, allowed: set[SkpStatus], verb_id: str, verb_en: str) -> None:
        if self.status not in allowed:
            raise DomainError(
                "invalid_state",
                f"SKP berstatus '{self.status}' tidak dapat {verb_id}.",
                f"An SKP in status '{self.status}' cannot be {verb_en}.",
            )

    # --- state changes (applied from events, never refused) ---------------------------------

    def _on_skp_drafted(self, data: dict[str, Any]) -> None:
        self.tenant = data["tenant"]
        self.owner = Person(**data["owner"])
        self.atasan = Person(**data["atasan"])
        self.unit = data["unit"]
        self.period_year = data["period_year"]
        self.rhk = data["rhk"]
        self.status = SkpStatus.DRAFT

    def _on_skp_revised(self, data: dict[str, Any]) -> None:
        self.rhk = data["rhk"]

    def _on_skp_submitted(self, _data: dict[str, Any]) -> None:
        self.status = SkpStatus.SUBMITTED
        self.return_reason = None

    def _on_skp_approved(self, _data: dict[str, Any]) -> None:
        self.status = SkpStatus.APPROVED

    def _on_skp_returned(self, data: dict[str, Any]) -> None:
        self.status = SkpStatus.RETURNED
        self.return_reason = data["reason"]

    def _on_skp_progress_reported(self, data: dict[str, Any]) -> None:
        self.realisasi[f"{data['iki_id']}@Q{data['quarter']}"] = dict(data)
