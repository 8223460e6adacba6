"""The distribution curve (SE MenPANRB 3/2023): how a unit's employee predikat may be spread, given
the unit's own organisation predikat. Kept as configuration (a JSON file, path in
EVALUATION_CURVE_FILE), because the secondary sources word it differently and instansi adjust it.

A rule bounds the share of the unit's employees whose final predikat is in a group: `max_share`
allows at most floor(share × n) people, `min_share` requires at least ceil(share × n).
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.contracts.evaluation import ORG_PREDIKAT
from shared.contracts.vocabulary import Predikat, values

DEFAULT_CURVE_FILE = Path(__file__).resolve().parent.parent / "config" / "distribution_curve.json"


@dataclass(frozen=True)
class CurveRule:
    predikat: tuple[str, ...]
    max_share: float | None = None
    min_share: float | None = None

    def bound(self, n: int) -> int:
        if self.max_share is not None:
            return math.floor(self.max_share * n + 1e-9)
        return math.ceil((self.min_share or 0.0) * n - 1e-9)


@dataclass(frozen=True)
class Curve:
    name: str
    rules: Mapping[str, tuple[CurveRule, ...]]  # organisation predikat → rules


class CurveConfigError(ValueError):
    pass


def parse_curve(document: Mapping[str, Any]) -> Curve:
    """Validate a curve document; every organisation predikat needs a (possibly empty) rule list."""
    curves = document.get("curves")
    if not isinstance(curves, Mapping) or set(curves) != set(ORG_PREDIKAT):
        raise CurveConfigError(f"'curves' must have exactly the keys {ORG_PREDIKAT}")
    rules: dict[str, tuple[CurveRule, ...]] = {}
    for org, items in curves.items():
        parsed = []
        for item in items:
            group = tuple(item.get("predikat", ()))
            if not group or not set(group) <= set(values(Predikat)):
                raise CurveConfigError(f"{org}: unknown predikat in {group}")
            kinds = [k for k in ("max_share", "min_share") if k in item]
            if len(kinds) != 1 or not 0 <= float(item[kinds[0]]) <= 1:
                raise CurveConfigError(f"{org}: each rule needs exactly one of max_share/min_share in 0..1")
            parsed.append(CurveRule(group, **{kinds[0]: float(item[kinds[0]])}))
        rules[org] = tuple(parsed)
    return Curve(str(document.get("name", "")), rules)


def load_curve(path: str | Path | None = None) -> Curve:
    path = path or os.environ.get("EVALUATION_CURVE_FILE") or DEFAULT_CURVE_FILE
    return parse_curve(json.loads(Path(path).read_text(encoding="utf-8")))


def validate_distribution(curve: Curve, org_predikat: str, predikats: Iterable[str]) -> dict[str, Any]:
    """Check a unit's final employee predikat against the curve of its organisation predikat."""
    counts = Counter(predikats)
    n = sum(counts.values())
    checks = []
    for rule in curve.rules[org_predikat]:
        count = sum(counts[p] for p in rule.predikat)
        bound = rule.bound(n)
        ok = count <= bound if rule.max_share is not None else count >= bound
        checks.append(
            {
                "predikat": list(rule.predikat),
                "limit": "max" if rule.max_share is not None else "min",
                "share": rule.max_share if rule.max_share is not None else rule.min_share,
                "allowed_count": bound,
                "count": count,
                "ok": ok,
            }
        )
    return {
        "organisation_predikat": org_predikat,
        "employees": n,
        "counts": {p: counts[p] for p in values(Predikat)},
        "shares": {p: (round(counts[p] / n, 4) if n else 0.0) for p in values(Predikat)},
        "checks": checks,
        "valid": all(c["ok"] for c in checks),
    }
