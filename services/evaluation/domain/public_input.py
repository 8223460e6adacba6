"""Public input for units that serve the public: the satisfaction index (IKM) and complaint handling.

IKM per PermenPANRB 14/2017: nine service elements (unsur), each answered 1–4 by every respondent;
the element's average (NRR) is weighted equally (1/9), and IKM = weighted mean × 25 (range 25–100).
Grades: A ≥ 88.31, B ≥ 76.61, C ≥ 65.00, D below — compared on the index rounded to two decimals.
Complaints per SP4N-LAPOR!: the first response is due within 3 days of receipt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# The nine unsur of PermenPANRB 14/2017, in order (U1–U9).
IKM_ELEMENTS = (
    "u1_persyaratan",
    "u2_prosedur",
    "u3_waktu",
    "u4_biaya",
    "u5_produk",
    "u6_kompetensi",
    "u7_perilaku",
    "u8_pengaduan",
    "u9_sarana",
)
IKM_GRADES = (("A", 88.31), ("B", 76.61), ("C", 65.00))  # below the last: D
GRADE_LABEL = {"A": "Sangat Baik", "B": "Baik", "C": "Kurang Baik", "D": "Tidak Baik"}
FIRST_RESPONSE_DUE = timedelta(days=3)


def ikm_grade(ikm: float) -> str:
    value = round(ikm, 2)
    return next((grade for grade, floor in IKM_GRADES if value >= floor), "D")


@dataclass(frozen=True)
class IkmTally:
    """Sums of scores per element and the number of respondents: batches add up exactly."""

    sums: Mapping[str, float]
    respondents: int

    @classmethod
    def of(cls, responses: Sequence[Mapping[str, int]]) -> IkmTally:
        sums = {element: float(sum(r[element] for r in responses)) for element in IKM_ELEMENTS}
        return cls(sums, len(responses))

    @classmethod
    def combine(cls, tallies: Iterable[IkmTally]) -> IkmTally:
        tallies = list(tallies)
        sums = {e: sum(t.sums.get(e, 0.0) for t in tallies) for e in IKM_ELEMENTS}
        return cls(sums, sum(t.respondents for t in tallies))

    def averages(self) -> dict[str, float]:
        return {e: round(self.sums[e] / self.respondents, 4) for e in IKM_ELEMENTS} if self.respondents else {}

    def ikm(self) -> float | None:
        """Weighted mean of the element averages (equal weights 1/9) × 25, two decimals."""
        if not self.respondents:
            return None
        weighted = sum(self.sums[e] / self.respondents for e in IKM_ELEMENTS) / len(IKM_ELEMENTS)
        return round(weighted * 25, 2)


def response_problem(response: Mapping[str, object]) -> str | None:
    missing = [e for e in IKM_ELEMENTS if e not in response]
    if missing:
        return f"missing elements: {', '.join(missing)}"
    bad = [e for e in IKM_ELEMENTS if not isinstance(response[e], int) or not 1 <= response[e] <= 4]  # type: ignore[operator]
    return f"scores must be whole numbers 1–4: {', '.join(bad)}" if bad else None


def responded_in_time(received_at: datetime, first_response_at: datetime | None, now: datetime) -> bool | None:
    """True/False once decided; None while still within the 3 days without a response."""
    if first_response_at is not None:
        return first_response_at - received_at <= FIRST_RESPONSE_DUE
    return False if now - received_at > FIRST_RESPONSE_DUE else None


@dataclass(frozen=True)
class ComplaintSummary:
    received: int
    responded_in_time: int
    responded_late: int
    awaiting_response: int
    resolved: int

    @property
    def in_time_share(self) -> float | None:
        decided = self.responded_in_time + self.responded_late
        return round(self.responded_in_time / decided, 4) if decided else None


def summarise_complaints(rows: Iterable[Mapping[str, object]], now: datetime) -> ComplaintSummary:
    received = in_time = late = waiting = resolved = 0
    for row in rows:
        received += 1
        verdict = responded_in_time(row["received_at"], row["first_response_at"], now)  # type: ignore[arg-type]
        if verdict is True:
            in_time += 1
        elif verdict is False:
            late += 1
        else:
            waiting += 1
        resolved += row["resolved_at"] is not None
    return ComplaintSummary(received, in_time, late, waiting, resolved)
