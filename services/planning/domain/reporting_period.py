"""A period's calendar of realisasi: which quarters still take entries.

The instansi admin closes a quarter once its realisasi are in; a late entry is refused with a
clear message until the admin reopens it (with a reason, kept in the history).
"""

from __future__ import annotations

from typing import Any

from shared.aggregate import Aggregate
from shared.errors import DomainError


def period_id_for(tenant: str, period_year: int) -> str:
    return f"period-{tenant}-{period_year}"


class ReportingPeriod(Aggregate):
    aggregate_type = "reporting_period"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.tenant = ""
        self.period_year = 0
        self.closed: set[int] = set()

    @classmethod
    def open(cls, tenant: str, period_year: int) -> ReportingPeriod:
        period = cls(period_id_for(tenant, period_year))
        period._record("period.opened", tenant=tenant, period_year=period_year)
        return period

    def close_quarter(self, quarter: int, by_nip: str, reason: str | None) -> None:
        if quarter in self.closed:
            raise DomainError(
                "quarter_already_closed",
                f"Triwulan {quarter} tahun {self.period_year} sudah ditutup.",
                f"Quarter {quarter} of {self.period_year} is already closed.",
                field="quarter",
            )
        self._record("period.quarter_closed", quarter=quarter, by=by_nip, reason=reason)

    def reopen_quarter(self, quarter: int, by_nip: str, reason: str) -> None:
        if quarter not in self.closed:
            raise DomainError(
                "quarter_not_closed",
                f"Triwulan {quarter} tahun {self.period_year} tidak sedang ditutup.",
                f"Quarter {quarter} of {self.period_year} is not closed.",
                field="quarter",
            )
        self._record("period.quarter_reopened", quarter=quarter, by=by_nip, reason=reason)

    def is_open(self, quarter: int) -> bool:
        return quarter not in self.closed

    def _on_period_opened(self, data: dict[str, Any]) -> None:
        self.tenant = data["tenant"]
        self.period_year = data["period_year"]

    def _on_period_quarter_closed(self, data: dict[str, Any]) -> None:
        self.closed.add(data["quarter"])

    def _on_period_quarter_reopened(self, data: dict[str, Any]) -> None:
        self.closed.discard(data["quarter"])
