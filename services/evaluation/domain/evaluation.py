"""The Evaluation aggregate: an employee's ratings and predikat for one period, computed once.

Its id is deterministic (`eval-<nip>-<year>-<period>`), so computing the same evaluation twice is
refused rather than producing two results. Revision (calibration, appeal) comes later as new events.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.evaluation.domain.scoring import DEFAULT_CONFIG, ScoringConfig, evaluate
from shared.aggregate import Aggregate
from shared.errors import DomainError, Forbidden

# The fields of the `evaluation.completed` contract (v1), all kept in the aggregate's event.
_CONTRACT_FIELDS = (
    "nip",
    "employee_name",
    "atasan_nip",
    "atasan_name",
    "unit",
    "period_year",
    "period",
    "rating_hasil_kerja",
    "rating_perilaku_kerja",
    "predikat",
    "breakdown",
    "explanation",
)


def evaluation_id_for(nip: str, period_year: int, period: str) -> str:
    return f"eval-{nip}-{period_year}-{period}"


def authorize_evaluator(evaluator_nip: str, plan_atasan_nip: str) -> None:
    if evaluator_nip != plan_atasan_nip:
        raise Forbidden(
            "Hanya atasan pada SKP pegawai ini yang dapat menyusun evaluasinya.",
            "Only the atasan named on this employee's SKP may compute the evaluation.",
        )


def evaluation_exists(evaluation_id: str) -> DomainError:
    return DomainError(
        "evaluation_exists",
        f"Evaluasi '{evaluation_id}' sudah disusun.",
        f"Evaluation '{evaluation_id}' has already been computed.",
    )


class Evaluation(Aggregate):
    aggregate_type = "evaluation"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.tenant = ""
        self.state: dict[str, Any] = {}

    @classmethod
    def complete(
        cls,
        *,
        tenant: str,
        plan: Mapping[str, Any],
        period: str,
        assessment_id: str,
        behaviour: Mapping[str, str],
        realisasi: Mapping[str, Mapping[int, float]],
        evaluated_by: str,
        config: ScoringConfig = DEFAULT_CONFIG,
    ) -> Evaluation:
        """Score the approved plan's IKIs and the atasan's behaviour assessment."""
        result = evaluate(
            rhk=plan["rhk"],
            realisasi=realisasi,
            behaviour=behaviour,
            period=period,
            period_year=plan["period_year"],
            config=config,
        )
        evaluation = cls(evaluation_id_for(plan["nip"], plan["period_year"], period))
        evaluation._record(
            "evaluation.completed",
            tenant=tenant,
            nip=plan["nip"],
            employee_name=plan["employee_name"],
            atasan_nip=plan["atasan_nip"],
            atasan_name=plan.get("atasan_name"),
            unit=plan["unit"],
            period_year=plan["period_year"],
            period=period,
            skp_id=plan["skp_id"],
            assessment_id=assessment_id,
            evaluated_by=evaluated_by,
            rating_hasil_kerja=result.rating_hasil_kerja.value,
            rating_perilaku_kerja=result.rating_perilaku_kerja.value,
            predikat=result.predikat.value,
            breakdown=result.breakdown,
            explanation=result.explanation,
        )
        return evaluation

    def payload(self) -> dict[str, Any]:
        """The `evaluation.completed` integration event (contract v1)."""
        return {"evaluation_id": self.id, **{name: self.state[name] for name in _CONTRACT_FIELDS}}

    def _on_evaluation_completed(self, data: dict[str, Any]) -> None:
        self.tenant = data["tenant"]
        self.state = {"atasan_name": None, **data}
