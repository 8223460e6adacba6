"""The Evaluation aggregate: an employee's ratings and predikat for one period, and every later change.

Its id is deterministic (`eval-<nip>-<year>-<period>`), so the same evaluation is never computed
twice. After completion it changes only by events, each a revision: `evaluation.recomputed` (late or
corrected data), `evaluation.calibrated` (the appraiser's override, with a written reason) and
`evaluation.appeal_decided` (keberatan, decided by the atasan pejabat penilai — final). The matrix
predikat is always kept beside the final one, and the explanation says which override applies and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from services.evaluation.domain.scoring import DEFAULT_CONFIG, PREDIKAT_LABEL, EvaluationResult, ScoringConfig, evaluate
from shared.aggregate import Aggregate
from shared.contracts.vocabulary import Predikat
from shared.errors import DomainError, Forbidden

APPEAL_WINDOW = timedelta(days=14)  # PP 30/2019 art. 59

# The fields of the `evaluation.completed` contract (v1), all kept in the aggregate's state.
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
    "strengths",
    "weaknesses",
)
# What a recomputation may change: if none of these differ, nothing is recorded.
_RESULT_FIELDS = (
    "rating_hasil_kerja",
    "rating_perilaku_kerja",
    "matrix_predikat",
    "breakdown",
    "base_explanation",
    "strengths",
    "weaknesses",
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


def _label(predikat: str) -> str:
    return PREDIKAT_LABEL[Predikat(predikat)]


def _result_data(result: EvaluationResult, inputs: list[str]) -> dict[str, Any]:
    return {
        "rating_hasil_kerja": result.rating_hasil_kerja.value,
        "rating_perilaku_kerja": result.rating_perilaku_kerja.value,
        "matrix_predikat": result.predikat.value,
        "breakdown": result.breakdown,
        # The inputs beside the plan and the atasan's assessment come right after the basis sentence.
        "base_explanation": [*result.explanation[:1], *inputs, *result.explanation[1:]],
        "strengths": result.strengths,
        "weaknesses": result.weaknesses,
    }


def score(plan: Mapping[str, Any], period: str, inputs: Mapping[str, Any], config: ScoringConfig) -> dict[str, Any]:
    """The result fields for a plan and its inputs: `behaviour` (the atasan's), `realisasi`
    (iki_id → {quarter: value}), `other_behaviour` and `input_notes` (sentences on other sources)."""
    result = evaluate(
        rhk=plan["rhk"],
        realisasi=inputs["realisasi"],
        behaviour=inputs["behaviour"],
        period=period,
        period_year=plan["period_year"],
        config=config,
        results_follow_unit=bool(plan.get("results_follow_unit")),
        other_behaviour=inputs.get("other_behaviour", ()),
    )
    return _result_data(result, list(inputs.get("input_notes", ())))


class Evaluation(Aggregate):
    aggregate_type = "evaluation"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.tenant = ""
        self.state: dict[str, Any] = {}
        self.last_reason = ""
        self.previous_predikat = ""

    # --- commands ---------------------------------------------------------------------------

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
        now: datetime,
        config: ScoringConfig = DEFAULT_CONFIG,
        other_behaviour: list[Mapping[str, str]] | None = None,
        input_notes: list[str] | None = None,
    ) -> Evaluation:
        """Score the approved plan's IKIs and the atasan's behaviour assessment."""
        inputs = {
            "behaviour": behaviour,
            "realisasi": realisasi,
            "other_behaviour": other_behaviour or [],
            "input_notes": input_notes or [],
        }
        evaluation = cls(evaluation_id_for(plan["nip"], plan["period_year"], period))
        evaluation._record(
            "evaluation.completed",
            tenant=tenant,
            nip=plan["nip"],
            employee_name=plan["employee_name"],
            atasan_nip=plan["atasan_nip"],
            atasan_name=plan.get("atasan_name"),
            unit=plan["unit"],
            unit_id=plan.get("unit_id"),
            period_year=plan["period_year"],
            period=period,
            skp_id=plan["skp_id"],
            assessment_id=assessment_id,
            evaluated_by=evaluated_by,
            result_at=now.isoformat(),
            **score(plan, period, inputs, config),
        )
        return evaluation

    def recompute(
        self, plan: Mapping[str, Any], inputs: Mapping[str, Any], *, reason: str, now: datetime, config: ScoringConfig
    ) -> bool:
        """Score again with the inputs as they are now; True (and a revision) if the result changed."""
        fresh = score(plan, self.state["period"], inputs, config)
        if all(fresh[name] == self.state.get(name) for name in _RESULT_FIELDS):
            return False
        self._record("evaluation.recomputed", reason=reason, at=now.isoformat(), skp_id=plan["skp_id"], **fresh)
        return True

    def calibrate(self, *, by: str, predikat: str, reason: str, now: datetime) -> None:
        if by != self.state["atasan_nip"]:
            raise Forbidden(
                "Hanya pejabat penilai (atasan pada SKP) yang dapat mengkalibrasi predikat.",
                "Only the appraiser (the SKP's atasan) may calibrate the predikat.",
            )
        self._refuse_if_appealed()
        if predikat == self.state["predikat"]:
            raise DomainError(
                "no_change",
                f"Predikat sudah {_label(predikat)}.",
                f"The predikat is already {_label(predikat)}.",
                field="predikat",
            )
        if not reason.strip():
            raise DomainError(
                "reason_required",
                "Kalibrasi predikat memerlukan alasan tertulis.",
                "A calibration needs a written reason.",
                field="reason",
            )
        self._record("evaluation.calibrated", predikat=predikat, reason=reason.strip(), by=by, at=now.isoformat())

    def file_appeal(
        self, *, by: str, reason: str, decider_nip: str | None, now: datetime, requested_predikat: str | None = None
    ) -> None:
        if by != self.state["nip"]:
            raise Forbidden(
                "Keberatan hanya dapat diajukan oleh pegawai yang dinilai.",
                "Only the employee evaluated may file a keberatan.",
            )
        if self.state.get("appeal"):
            raise DomainError(
                "appeal_exists",
                "Keberatan atas evaluasi ini sudah diajukan.",
                "A keberatan on this evaluation has already been filed.",
            )
        deadline = self.appeal_deadline
        if now > deadline:
            raise DomainError(
                "appeal_window_closed",
                f"Batas waktu keberatan (14 hari sejak hasil penilaian, sampai {deadline:%d-%m-%Y %H:%M} UTC) "
                "sudah lewat.",
                f"The keberatan window (14 days from the result, until {deadline:%Y-%m-%d %H:%M} UTC) has closed.",
            )
        if not decider_nip:
            raise DomainError(
                "no_atasan_pejabat_penilai",
                "Atasan pejabat penilai (atasan dari atasan Anda) belum tercatat; minta admin instansi melengkapi "
                "data atasan.",
                "The atasan pejabat penilai (your atasan's atasan) is not known; ask the instansi admin to fix the "
                "atasan data.",
            )
        self._record(
            "evaluation.appeal_filed",
            appeal_id=f"{self.id}-keberatan",
            reason=reason.strip(),
            requested_predikat=requested_predikat,
            decider_nip=decider_nip,
            filed_at=now.isoformat(),
            deadline=deadline.isoformat(),
            predikat=self.state["predikat"],
        )

    def decide_appeal(self, *, by: str, decision: str, predikat: str | None, reason: str, now: datetime) -> bool:
        """Record the decision; True when it changes the predikat (a revision)."""
        appeal = self.state.get("appeal")
        if not appeal:
            raise DomainError("no_appeal", "Belum ada keberatan atas evaluasi ini.", "No keberatan has been filed.")
        if appeal["status"] != "filed":
            raise DomainError(
                "appeal_decided", "Keberatan ini sudah diputus (final).", "This keberatan has been decided (final)."
            )
        if by != appeal["decider_nip"]:
            raise Forbidden(
                "Hanya atasan pejabat penilai yang dapat memutus keberatan ini.",
                "Only the atasan pejabat penilai may decide this keberatan.",
            )
        if decision == "accepted" and not predikat:
            raise DomainError(
                "predikat_required",
                "Keberatan yang diterima harus menetapkan predikat baru.",
                "An accepted keberatan must set the new predikat.",
                field="predikat",
            )
        final = predikat if decision == "accepted" and predikat else self.state["predikat"]
        changed = final != self.state["predikat"]
        self._record(
            "evaluation.appeal_decided",
            decision=decision,
            predikat=final,
            reason=reason.strip(),
            by=by,
            at=now.isoformat(),
        )
        return changed

    def _refuse_if_appealed(self) -> None:
        if self.state.get("appeal"):
            raise DomainError(
                "appeal_in_progress",
                "Predikat tidak dapat dikalibrasi setelah keberatan diajukan; keputusan atasan pejabat penilai "
                "yang berlaku.",
                "The predikat cannot be calibrated once a keberatan is filed; the atasan pejabat penilai decides.",
            )

    # --- reading ----------------------------------------------------------------------------

    @property
    def appeal_deadline(self) -> datetime:
        return datetime.fromisoformat(self.state["result_at"]) + APPEAL_WINDOW

    def payload(self) -> dict[str, Any]:
        """The `evaluation.completed` integration event (contract v1)."""
        return {"evaluation_id": self.id, **{name: self.state[name] for name in _CONTRACT_FIELDS}}

    def revised_payload(self) -> dict[str, Any]:
        """The `evaluation.revised` integration event (contract v1)."""
        return {
            **self.payload(),
            "revision": self.state["revision"],
            "revision_reason": self.last_reason,
            "previous_predikat": self.previous_predikat,
        }

    def appeal_payload(self) -> dict[str, Any]:
        appeal = self.state["appeal"]
        base = {k: self.state[k] for k in ("nip", "period_year", "period")}
        return {"appeal_id": appeal["appeal_id"], "evaluation_id": self.id, **base}

    # --- state ------------------------------------------------------------------------------

    def _refresh(self) -> None:
        """Final predikat and explanation from the matrix result and the override, if any."""
        state = self.state
        override = state.get("override")
        state["predikat"] = override["predikat"] if override else state["matrix_predikat"]
        explanation = list(state["base_explanation"])
        if override:
            kind = "kalibrasi oleh pejabat penilai" if override["kind"] == "kalibrasi" else "putusan keberatan"
            explanation.append(
                f"Predikat akhir {_label(state['predikat'])} (matriks: {_label(state['matrix_predikat'])}) "
                f"ditetapkan melalui {kind} {override['by']}: {override['reason']}"
            )
        if state["revision"]:
            explanation.append(f"Revisi ke-{state['revision']}: {self.last_reason}")
        state["explanation"] = explanation

    def _changed(self, reason: str) -> None:
        self.previous_predikat = self.state["predikat"]
        self.last_reason = reason
        self.state["revision"] += 1

    def _on_evaluation_completed(self, data: dict[str, Any]) -> None:
        self.tenant = data["tenant"]
        self.state = {"atasan_name": None, "unit_id": None, "override": None, "appeal": None, "revision": 0, **data}
        self.previous_predikat = data["matrix_predikat"]
        self._refresh()

    def _on_evaluation_recomputed(self, data: dict[str, Any]) -> None:
        self._changed(data["reason"])
        self.state.update({k: v for k, v in data.items() if k in _RESULT_FIELDS})
        self._refresh()

    def _on_evaluation_calibrated(self, data: dict[str, Any]) -> None:
        self._changed(f"Kalibrasi predikat: {data['reason']}")
        matrix = self.state["matrix_predikat"]
        override = {"kind": "kalibrasi", "predikat": data["predikat"], "reason": data["reason"], "by": data["by"]}
        self.state["override"] = None if data["predikat"] == matrix else override
        # A calibrated result is a new result: the appeal window runs from it.
        self.state["result_at"] = data["at"]
        self._refresh()

    def _on_evaluation_appeal_filed(self, data: dict[str, Any]) -> None:
        self.state["appeal"] = {**data, "status": "filed"}

    def _on_evaluation_appeal_decided(self, data: dict[str, Any]) -> None:
        appeal = self.state["appeal"]
        self.state["appeal"] = {
            **appeal,
            "status": data["decision"],
            "decided_by": data["by"],
            "decided_at": data["at"],
            "decision_reason": data["reason"],
            "decided_predikat": data["predikat"],
        }
        if data["predikat"] != self.state["predikat"]:
            self._changed(f"Keberatan diterima: {data['reason']}")
            override = {"kind": "keberatan", "predikat": data["predikat"], "reason": data["reason"], "by": data["by"]}
            self.state["override"] = override
            self._refresh()
