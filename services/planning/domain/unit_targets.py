"""Unit-level targets (target unit kerja): what a unit as a whole must achieve in a year — a
school's graduation rate, a puskesmas's waiting time. Set by the instansi admin; the unit head's
SKP carries them as IKI, so the head's results follow the unit's achievement.
"""

from __future__ import annotations

from typing import Any

from shared.aggregate import Aggregate


def unit_targets_id_for(tenant: str, unit_id: str, period_year: int) -> str:
    return f"unit-targets-{tenant}-{unit_id}-{period_year}"


def target_id_for(unit_id: str, period_year: int, code: str) -> str:
    return f"{unit_id}/{period_year}/{code}"


class UnitTargets(Aggregate):
    """All targets of one unit for one year; each kept by its code, changes kept in the history."""

    aggregate_type = "unit_targets"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.tenant = ""
        self.unit_id = ""
        self.period_year = 0
        self.targets: dict[str, dict[str, Any]] = {}

    @classmethod
    def start(cls, tenant: str, unit_id: str, period_year: int) -> UnitTargets:
        targets = cls(unit_targets_id_for(tenant, unit_id, period_year))
        targets._record("unit_targets.started", tenant=tenant, unit_id=unit_id, period_year=period_year)
        return targets

    def set_target(self, *, code: str, indicator: str, target: float, unit: str, direction: str, by: str) -> dict:
        """Add a target or change it; a change with the same figures records nothing."""
        figures = {"indicator": indicator, "target": target, "unit": unit, "direction": direction}
        current = self.targets.get(code)
        if current is None or {k: current[k] for k in figures} != figures:
            self._record("unit_targets.target_set", code=code, by=by, **figures)
        return self.targets[code]

    def _on_unit_targets_started(self, data: dict[str, Any]) -> None:
        self.tenant = data["tenant"]
        self.unit_id = data["unit_id"]
        self.period_year = data["period_year"]

    def _on_unit_targets_target_set(self, data: dict[str, Any]) -> None:
        self.targets[data["code"]] = {
            "target_id": target_id_for(self.unit_id, self.period_year, data["code"]),
            "unit_id": self.unit_id,
            "period_year": self.period_year,
            **{k: data[k] for k in ("code", "indicator", "target", "unit", "direction")},
            "updated_by": data["by"],
        }
