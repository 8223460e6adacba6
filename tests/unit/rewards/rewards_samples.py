"""Sample data of the rewards tests: NIPs, evaluation.completed payloads and envelopes."""

from __future__ import annotations

import uuid
from typing import Any

from shared.contracts import CATALOG
from shared.events import Envelope

TENANT = "1671"
OTHER_TENANT = "3674"
EMPLOYEE = "198503302010011002"
ATASAN = "197001012000031001"
COLLEAGUE = "199001012015032003"
ADMIN = "198001012005011004"


def iki(indicator: str, achievement_pct: float | None, target: float = 100, realisasi: float | None = 50) -> dict:
    return {
        "rhk_id": "rhk1",
        "rhk_kind": "utama",
        "iki_id": f"iki-{indicator}",
        "indicator": indicator,
        "target": target,
        "realisasi": realisasi,
        "direction": "higher_is_better",
        "achievement_pct": achievement_pct,
        "rating": "di_bawah_ekspektasi",
    }


def evaluation_payload(
    *,
    predikat: str = "baik",
    period_year: int = 2026,
    period: str = "annual",
    nip: str = EMPLOYEE,
    evaluation_id: str | None = None,
    breakdown: list[dict] | None = None,
) -> dict[str, Any]:
    return {
        "evaluation_id": evaluation_id or f"eval-{nip}-{period_year}-{period}",
        "nip": nip,
        "employee_name": "Siti Aminah",
        "atasan_nip": ATASAN,
        "unit": "Puskesmas Sukarami",
        "period_year": period_year,
        "period": period,
        "rating_hasil_kerja": "sesuai_ekspektasi",
        "rating_perilaku_kerja": "sesuai_ekspektasi",
        "predikat": predikat,
        "breakdown": breakdown if breakdown is not None else [iki("Pasien dilayani", 66.7, 1200, 800)],
        "explanation": ["contoh"],
    }


def envelope(payload: dict[str, Any], tenant: str = TENANT) -> Envelope:
    return CATALOG.prepare(
        Envelope.new(
            event_type="evaluation.completed",
            schema_version=1,
            producer="evaluation",
            tenant=tenant,
            aggregate_id=payload["evaluation_id"],
            aggregate_version=1,
            payload=payload,
            correlation_id=str(uuid.uuid4()),
        )
    )
