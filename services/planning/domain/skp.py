"""The SKP aggregate (Sasaran Kinerja Pegawai): one employee's plan for one period.

Workflow: draft → submitted → approved, or returned (with a reason) → revised → submitted again.
An approved SKP changes only through an amendment: the owner proposes it with a reason, the atasan
agrees (the amended plan replaces the approved one) or rejects it. Realisasi is reported against
the approved plan, per IKI and quarter, and the atasan gives feedback on each entry. State is
rebuilt from the SKP's own events, which are its full history.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from services.planning.domain.plan_content import (
    EMPTY_ANNEX,
    CascadeContext,
    check_cascaded,
    check_content,
    number_plan,
)
from shared.aggregate import Aggregate
from shared.contracts.vocabulary import SkpTemplate
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


@dataclass(frozen=True)
class PlanContent:
    """What the owner writes: RHK with IKI, the annex, and whether results follow the unit."""

    rhk: list[dict[str, Any]]
    annex: dict[str, list[str]] | None = None
    results_follow_unit: bool = False


@dataclass(frozen=True)
class Evidence:
    url: str | None = None
    files: tuple[dict[str, Any], ...] = ()


def skp_id_for(nip: str, period_year: int) -> str:
    """One SKP per employee per period: the id says which, so a second draft conflicts."""
    return f"skp-{nip}-{period_year}"


def realisasi_key(iki_id: str, quarter: int) -> str:
    return f"{iki_id}@Q{quarter}"


class Skp(Aggregate):
    aggregate_type = "skp"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.tenant = ""
        self.owner = Person("", "")
        self.atasan = Person("", "")
        self.unit = ""
        self.unit_id: str | None = None
        self.period_year = 0
        self.template = SkpTemplate.JA_JF
        self.rhk: list[dict[str, Any]] = []
        self.annex: dict[str, list[str]] = deepcopy(EMPTY_ANNEX)
        self.results_follow_unit = False
        self.expectations: dict[str, str] = {}
        self.status = SkpStatus.DRAFT
        self.return_reason: str | None = None
        self.amendment_no = 0
        self.pending_amendment: dict[str, Any] | None = None
        self.realisasi: dict[str, dict[str, Any]] = {}  # realisasi_key -> latest report with its feedback

    # --- commands: the plan ------------------------------------------------------------------

    @classmethod
    def draft(
        cls,
        *,
        tenant: str,
        owner: Person,
        atasan: Person | None,
        unit: str,
        period_year: int,
        content: PlanContent,
        context: CascadeContext | None = None,
        unit_id: str | None = None,
        template: SkpTemplate = SkpTemplate.JA_JF,
    ) -> Skp:
        if atasan is not None and owner.nip == atasan.nip:
            raise DomainError(
                "atasan_is_self",
                "Atasan tidak boleh diri sendiri.",
                "The atasan cannot be the employee themself.",
                field="atasan.nip",
            )
        skp = cls(skp_id_for(owner.nip, period_year))
        rhk = skp._checked(content, context or CascadeContext(), template)
        skp._record(
            "skp.drafted",
            tenant=tenant,
            owner={"nip": owner.nip, "name": owner.name},
            atasan={"nip": atasan.nip, "name": atasan.name} if atasan else None,
            unit=unit,
            unit_id=unit_id,
            period_year=period_year,
            template=template.value,
            rhk=rhk,
            annex=_annex(content.annex),
            results_follow_unit=content.results_follow_unit,
        )
        return skp

    def revise(self, by_nip: str, content: PlanContent, context: CascadeContext | None = None) -> None:
        self._require_owner(by_nip)
        self._require_status({SkpStatus.DRAFT, SkpStatus.RETURNED}, "direvisi", "revised")
        rhk = self._checked(content, context or CascadeContext(), self.template)
        annex = self._annex_of(content)
        self._record("skp.revised", rhk=rhk, annex=annex, results_follow_unit=content.results_follow_unit)

    def submit(self, by_nip: str, context: CascadeContext | None = None) -> None:
        self._require_owner(by_nip)
        self._require_status({SkpStatus.DRAFT, SkpStatus.RETURNED}, "diajukan", "submitted")
        if not self.atasan.nip:
            raise DomainError(
                "no_atasan",
                "SKP pejabat puncak dinilai oleh kepala daerah di luar Kinerja; SKP ini tidak diajukan di sini.",
                "The top official's SKP is approved by the head of region outside Kinerja; it is not submitted here.",
            )
        check_cascaded(self.rhk, context or CascadeContext())
        self._record("skp.submitted", by=by_nip)

    def approve(self, by_nip: str) -> None:
        self._require_atasan(by_nip)
        self._require_status({SkpStatus.SUBMITTED}, "disetujui", "approved")
        self._record("skp.approved", by=by_nip)

    def return_to_employee(self, by_nip: str, reason: str) -> None:
        self._require_atasan(by_nip)
        self._require_status({SkpStatus.SUBMITTED}, "dikembalikan", "returned")
        self._record("skp.returned", by=by_nip, reason=reason)

    def set_expectations(self, by_nip: str, expectations: dict[str, str]) -> None:
        """Ekspektasi khusus pimpinan: the atasan's, before approval (afterwards by amendment)."""
        self._require_atasan(by_nip)
        self._require_status(
            {SkpStatus.DRAFT, SkpStatus.SUBMITTED, SkpStatus.RETURNED}, "diberi ekspektasi", "given expectations"
        )
        self._record("skp.expectations_set", by=by_nip, expectations=dict(expectations))

    def reassign_atasan(self, atasan: Person) -> bool:
        """Follow the organisation register when the employee's atasan changed; True if it did."""
        if atasan.nip in (self.atasan.nip, self.owner.nip):
            return False
        self._record("skp.atasan_reassigned", atasan={"nip": atasan.nip, "name": atasan.name})
        return True

    # --- commands: amendments ----------------------------------------------------------------

    def propose_amendment(
        self,
        by_nip: str,
        reason: str,
        content: PlanContent,
        context: CascadeContext | None = None,
        expectations: dict[str, str] | None = None,
    ) -> None:
        self._require_owner(by_nip)
        self._require_status({SkpStatus.APPROVED}, "diubah (amendemen)", "amended")
        if self.pending_amendment is not None:
            raise DomainError(
                "amendment_pending",
                "Masih ada usulan perubahan SKP yang menunggu keputusan atasan.",
                "An amendment of this SKP is still waiting for the atasan's decision.",
            )
        ctx = context or CascadeContext()
        rhk = self._checked(content, ctx, self.template)
        check_cascaded(rhk, ctx)
        self._record(
            "skp.amendment_proposed",
            by=by_nip,
            reason=reason,
            rhk=rhk,
            annex=self._annex_of(content),
            results_follow_unit=content.results_follow_unit,
            expectations=dict(expectations) if expectations is not None else dict(self.expectations),
        )

    def approve_amendment(self, by_nip: str) -> None:
        self._require_atasan(by_nip)
        self._require_pending_amendment()
        self._record("skp.amended", by=by_nip, amendment_no=self.amendment_no + 1)

    def reject_amendment(self, by_nip: str, reason: str) -> None:
        self._require_atasan(by_nip)
        self._require_pending_amendment()
        self._record("skp.amendment_rejected", by=by_nip, reason=reason)

    # --- commands: realisasi -----------------------------------------------------------------

    def report_progress(
        self,
        by_nip: str,
        *,
        quarter: int,
        iki_id: str,
        value: float,
        note: str | None,
        evidence: Evidence | None = None,
        quarter_open: bool = True,
    ) -> dict[str, Any]:
        self._require_owner(by_nip)
        self._require_status({SkpStatus.APPROVED}, "diisi realisasinya", "given realisasi")
        rhk = self._rhk_with(iki_id)
        if not quarter_open:
            raise DomainError(
                "quarter_closed",
                f"Triwulan {quarter} tahun {self.period_year} sudah ditutup; minta admin instansi membukanya kembali.",
                f"Quarter {quarter} of {self.period_year} is closed; ask the instansi admin to reopen it.",
                field="quarter",
            )
        evidence = evidence or Evidence()
        self._record(
            "skp.progress_reported",
            quarter=quarter,
            rhk_id=rhk["rhk_id"],
            iki_id=iki_id,
            value=value,
            note=note,
            evidence_url=evidence.url,
            evidence_files=list(evidence.files),
        )
        return self.realisasi[realisasi_key(iki_id, quarter)]

    def give_feedback(self, by_nip: str, by_name: str, *, quarter: int, iki_id: str, feedback: str) -> dict[str, Any]:
        """Umpan balik berkelanjutan: the atasan comments on a reported realisasi entry."""
        self._require_atasan(by_nip)
        entry = self.realisasi.get(realisasi_key(iki_id, quarter))
        if entry is None:
            raise DomainError(
                "no_realisasi",
                f"Belum ada realisasi IKI '{iki_id}' untuk triwulan {quarter}.",
                f"No realisasi of IKI '{iki_id}' has been reported for quarter {quarter}.",
                field="iki_id",
            )
        self._record(
            "skp.feedback_given", by=by_nip, by_name=by_name, quarter=quarter, iki_id=iki_id, feedback=feedback
        )
        return self.realisasi[realisasi_key(iki_id, quarter)]

    # --- queries ----------------------------------------------------------------------------

    def find_iki(self, iki_id: str) -> dict[str, Any] | None:
        return next((iki for r in self.rhk for iki in r["iki"] if iki["iki_id"] == iki_id), None)

    def plan_payload(self) -> dict[str, Any]:
        return {
            "skp_id": self.id,
            "nip": self.owner.nip,
            "employee_name": self.owner.name,
            "atasan_nip": self.atasan.nip,
            "atasan_name": self.atasan.name,
            "unit": self.unit,
            "unit_id": self.unit_id,
            "period_year": self.period_year,
            "template": self.template.value,
            "rhk": deepcopy(self.rhk),
            "expectations": dict(self.expectations),
            "annex": deepcopy(self.annex),
            "results_follow_unit": self.results_follow_unit,
        }

    # --- rules ------------------------------------------------------------------------------

    def _checked(self, content: PlanContent, context: CascadeContext, template: SkpTemplate) -> list[dict[str, Any]]:
        numbered = number_plan(self.id, content.rhk, self.rhk)
        return check_content(template, numbered, content.results_follow_unit, context)

    def _annex_of(self, content: PlanContent) -> dict[str, list[str]]:
        """A revision or amendment that sends no annex keeps the current one."""
        return _annex(content.annex) if content.annex is not None else deepcopy(self.annex)

    def _rhk_with(self, iki_id: str) -> dict[str, Any]:
        rhk = next((r for r in self.rhk if any(i["iki_id"] == iki_id for i in r["iki"])), None)
        if rhk is None:
            raise DomainError(
                "unknown_iki",
                f"IKI '{iki_id}' tidak ada di SKP ini.",
                f"IKI '{iki_id}' is not part of this SKP.",
                field="iki_id",
            )
        return rhk

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

    def _require_pending_amendment(self) -> None:
        if self.pending_amendment is None:
            raise DomainError(
                "no_amendment_pending",
                "Tidak ada usulan perubahan SKP yang menunggu keputusan.",
                "There is no amendment of this SKP waiting for a decision.",
            )

    # --- state changes (applied from events, never refused) ---------------------------------

    def _on_skp_drafted(self, data: dict[str, Any]) -> None:
        self.tenant = data["tenant"]
        self.owner = Person(**data["owner"])
        self.atasan = Person(**data["atasan"]) if data["atasan"] else Person("", "")
        self.unit = data["unit"]
        self.unit_id = data.get("unit_id")
        self.period_year = data["period_year"]
        self.template = SkpTemplate(data.get("template", SkpTemplate.JA_JF))
        self._set_content(data)
        self.status = SkpStatus.DRAFT

    def _set_content(self, data: dict[str, Any]) -> None:
        self.rhk = data["rhk"]
        self.annex = data.get("annex") or deepcopy(EMPTY_ANNEX)
        self.results_follow_unit = data.get("results_follow_unit", False)

    def _on_skp_revised(self, data: dict[str, Any]) -> None:
        self._set_content(data)

    def _on_skp_submitted(self, _data: dict[str, Any]) -> None:
        self.status = SkpStatus.SUBMITTED
        self.return_reason = None

    def _on_skp_approved(self, _data: dict[str, Any]) -> None:
        self.status = SkpStatus.APPROVED

    def _on_skp_returned(self, data: dict[str, Any]) -> None:
        self.status = SkpStatus.RETURNED
        self.return_reason = data["reason"]

    def _on_skp_expectations_set(self, data: dict[str, Any]) -> None:
        self.expectations = data["expectations"]

    def _on_skp_atasan_reassigned(self, data: dict[str, Any]) -> None:
        self.atasan = Person(**data["atasan"])

    def _on_skp_amendment_proposed(self, data: dict[str, Any]) -> None:
        self.pending_amendment = {k: data[k] for k in ("by", "reason", "rhk", "annex", "results_follow_unit")}
        self.pending_amendment["expectations"] = data.get("expectations", self.expectations)

    def _on_skp_amended(self, data: dict[str, Any]) -> None:
        proposal = self.pending_amendment or {}
        self._set_content(proposal)
        self.expectations = proposal["expectations"]
        self.amendment_no = data["amendment_no"]
        self.pending_amendment = None
        live = {iki["iki_id"] for r in self.rhk for iki in r["iki"]}
        # Realisasi of an IKI the amendment removed no longer counts (the history keeps it).
        self.realisasi = {k: v for k, v in self.realisasi.items() if v["iki_id"] in live}

    def _on_skp_amendment_rejected(self, _data: dict[str, Any]) -> None:
        self.pending_amendment = None

    def _on_skp_progress_reported(self, data: dict[str, Any]) -> None:
        key = realisasi_key(data["iki_id"], data["quarter"])
        self.realisasi[key] = {**data, "feedback": []}

    def _on_skp_feedback_given(self, data: dict[str, Any]) -> None:
        entry = self.realisasi[realisasi_key(data["iki_id"], data["quarter"])]
        entry["feedback"] = [*entry["feedback"], {k: data[k] for k in ("by", "by_name", "feedback")}]


def _annex(annex: dict[str, list[str]] | None) -> dict[str, list[str]]:
    return {key: list((annex or {}).get(key, [])) for key in EMPTY_ANNEX}
