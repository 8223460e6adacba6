"""The organisation predikat of a unit for a period: set by the leader above, changed only by a new
event (the history stays in the event store). It selects the distribution curve for the unit."""

from __future__ import annotations

from typing import Any

from shared.aggregate import Aggregate


def organisation_predikat_id(tenant: str, unit_id: str, period_year: int, period: str) -> str:
    return f"orgpredikat-{tenant}-{unit_id}-{period_year}-{period}"


class OrganisationPredikat(Aggregate):
    aggregate_type = "organisation_predikat"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.state: dict[str, Any] = {}
        self.previous: str | None = None

    def set(self, **data: Any) -> None:
        self._record("organisation_predikat.set", **data)

    def _on_organisation_predikat_set(self, data: dict[str, Any]) -> None:
        self.previous = self.state.get("predikat")
        self.state = dict(data)
