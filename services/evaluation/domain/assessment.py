"""The Assessment aggregate: one person's judgement of an employee's work behaviour (BerAKHLAK).

Sources: penilaian mandiri (the employee), the atasan (pejabat penilai), rekan kerja and bawahan.
Publik (IKM, complaints) comes later. One assessment per employee, period, source and assessor:
the id says which, so a second one is refused instead of silently doubling the input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from shared.aggregate import Aggregate
from shared.contracts.vocabulary import AssessmentSource, BerakhlakValue
from shared.errors import DomainError, Forbidden

SUPPORTED_SOURCES = (
    AssessmentSource.SELF,
    AssessmentSource.ATASAN,
    AssessmentSource.PEER,
    AssessmentSource.SUBORDINATE,
)
# The employee and the atasan judge every value; peers and subordinates may judge only what they saw.
FULL_SOURCES = frozenset({AssessmentSource.SELF, AssessmentSource.ATASAN})


def assessment_id_for(nip: str, period_year: int, source: str, assessor_nip: str) -> str:
    return f"asm-{nip}-{period_year}-{source}-{assessor_nip}"


def missing_values(source: str, behaviour: Mapping[str, str]) -> list[str]:
    """BerAKHLAK values a source must rate but did not (empty for peers and subordinates)."""
    if source not in FULL_SOURCES:
        return []
    return [value.value for value in BerakhlakValue if value.value not in behaviour]


def behaviour_problem(source: str, behaviour: Mapping[str, str]) -> tuple[str, str] | None:
    """Why the ratings given are not enough for this source, in Indonesian and English; None if fine."""
    missing = missing_values(source, behaviour)
    if missing:
        names = ", ".join(missing)
        return (
            f"Penilaian {source} harus menilai ketujuh nilai BerAKHLAK; belum dinilai: {names}.",
            f"A {source} assessment must rate all seven BerAKHLAK values; missing: {names}.",
        )
    if not behaviour:
        return ("Nilai paling sedikit satu nilai BerAKHLAK.", "Rate at least one BerAKHLAK value.")
    return None


def no_approved_plan(nip: str, period_year: int) -> DomainError:
    return DomainError(
        "no_approved_plan",
        f"Belum ada SKP yang disetujui untuk pegawai {nip} pada periode {period_year}.",
        f"There is no approved SKP for employee {nip} in period {period_year}.",
        field="nip",
    )


def authorize_assessor(
    source: str,
    *,
    assessor_nip: str,
    assessor_is_atasan: bool,
    employee_nip: str,
    period_year: int,
    plan_atasan_nip: str | None,
    assessor: Mapping[str, Any] | None = None,
    employee: Mapping[str, Any] | None = None,
) -> None:
    """Who may give which kind of assessment. `plan_atasan_nip` is the atasan of the employee's
    approved plan for the period, None when there is none; `assessor` and `employee` are their
    records in the organisation register (None when not registered in the instansi)."""
    if source == AssessmentSource.SELF:
        if assessor_nip != employee_nip:
            raise Forbidden(
                "Penilaian mandiri hanya dapat diisi oleh pegawai itu sendiri.",
                "A self-assessment can only be given by the employee themself.",
            )
    elif source == AssessmentSource.ATASAN:
        if not assessor_is_atasan:
            raise Forbidden("Penilaian atasan memerlukan peran atasan.", "An atasan assessment requires role atasan.")
        if plan_atasan_nip is None:
            raise no_approved_plan(employee_nip, period_year)
        if assessor_nip != plan_atasan_nip:
            raise Forbidden(
                "Hanya atasan pada SKP pegawai ini yang dapat memberi penilaian atasan.",
                "Only the atasan named on this employee's SKP may give the atasan assessment.",
            )
    elif assessor_nip == employee_nip:
        raise Forbidden(
            f"Penilaian {source} tidak dapat diberikan kepada diri sendiri; gunakan penilaian mandiri.",
            f"A {source} assessment cannot be given to oneself; use a self-assessment (mandiri).",
        )
    elif source == AssessmentSource.SUBORDINATE:
        if not _active(assessor) or employee is None or assessor.get("atasan_nip") != employee_nip:
            raise Forbidden(
                "Penilaian bawahan hanya dapat diberikan oleh bawahan langsung pegawai ini (menurut data organisasi).",
                "A bawahan assessment can only be given by a direct subordinate of the employee (per the register).",
            )
    elif source == AssessmentSource.PEER and not _are_peers(assessor, employee):
        raise Forbidden(
            "Penilaian rekan kerja diberikan oleh rekan satu unit atau satu atasan, bukan atasan atau bawahannya.",
            "A rekan kerja assessment is given by a colleague of the same unit or atasan, not their atasan or "
            "subordinate.",
        )


def _active(person: Mapping[str, Any] | None) -> TypeGuard[Mapping[str, Any]]:
    """Registered in the instansi and not deactivated."""
    return person is not None and bool(person.get("active", True))


def _are_peers(assessor: Mapping[str, Any] | None, employee: Mapping[str, Any] | None) -> bool:
    """Colleagues in the register: the same unit or the same atasan, and neither is the other's atasan."""
    if not _active(assessor) or employee is None:
        return False
    if assessor.get("atasan_nip") == employee["nip"] or employee.get("atasan_nip") == assessor["nip"]:
        return False
    same_atasan = bool(assessor.get("atasan_nip")) and assessor.get("atasan_nip") == employee.get("atasan_nip")
    return same_atasan or (bool(assessor.get("unit_id")) and assessor.get("unit_id") == employee.get("unit_id"))


class Assessment(Aggregate):
    aggregate_type = "assessment"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.tenant = ""
        self.nip = ""
        self.period_year = 0
        self.source = ""
        self.assessor_nip = ""
        self.behaviour: dict[str, str] = {}
        self.feedback: str | None = None

    @classmethod
    def record(
        cls,
        *,
        tenant: str,
        nip: str,
        period_year: int,
        source: str,
        assessor_nip: str,
        behaviour: Mapping[str, str],
        feedback: str | None,
    ) -> Assessment:
        if source not in SUPPORTED_SOURCES:
            raise DomainError(
                "unsupported_source",
                f"Sumber penilaian '{source}' belum didukung.",
                f"Assessment source '{source}' is not supported yet.",
                field="source",
            )
        problem = behaviour_problem(source, behaviour)
        if problem:
            raise DomainError("incomplete_behaviour", *problem, field="behaviour")
        assessment = cls(assessment_id_for(nip, period_year, source, assessor_nip))
        assessment._record(
            "assessment.recorded",
            tenant=tenant,
            nip=nip,
            period_year=period_year,
            source=source,
            assessor_nip=assessor_nip,
            behaviour=dict(behaviour),
            feedback=feedback,
        )
        return assessment

    def payload(self) -> dict[str, Any]:
        """The `assessment.recorded` integration event (contract v1)."""
        return {
            "assessment_id": self.id,
            "nip": self.nip,
            "period_year": self.period_year,
            "source": self.source,
            "assessor_nip": self.assessor_nip,
            "behaviour": dict(self.behaviour),
            "feedback": self.feedback,
        }

    def _on_assessment_recorded(self, data: dict[str, Any]) -> None:
        self.tenant = data["tenant"]
        self.nip = data["nip"]
        self.period_year = data["period_year"]
        self.source = data["source"]
        self.assessor_nip = data["assessor_nip"]
        self.behaviour = dict(data["behaviour"])
        self.feedback = data["feedback"]
