"""Sample data for the evaluation service's unit tests: people, an approved SKP, planning's events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from shared.contracts import CATALOG
from shared.events import Envelope

TENANT = "1671"
OTHER_TENANT = "3674"
EMPLOYEE = "198503302010011002"
ATASAN = "197001012000031001"
PEER = "199001012015031003"
YEAR = 2026
SKP_ID = f"skp-{EMPLOYEE}-{YEAR}"
BERAKHLAK = [
    "berorientasi_pelayanan",
    "akuntabel",
    "kompeten",
    "harmonis",
    "loyal",
    "adaptif",
    "kolaboratif",
]


def plan_payload(**overrides: Any) -> dict[str, Any]:
    """An approved SKP: two utama IKIs (one lower-is-better) and one tambahan IKI."""
    plan = {
        "skp_id": SKP_ID,
        "nip": EMPLOYEE,
        "employee_name": "Siti Aminah",
        "atasan_nip": ATASAN,
        "atasan_name": "Budi Santoso",
        "unit": "Puskesmas Sukarami",
        "period_year": YEAR,
        "approved_by": ATASAN,
        "rhk": [
            {
                "rhk_id": f"{SKP_ID}.rhk1",
                "description": "Pelayanan pasien",
                "kind": "utama",
                "intervenes_rhk_id": None,
                "iki": [
                    {
                        "iki_id": f"{SKP_ID}.rhk1.iki1",
                        "indicator": "Pasien dilayani",
                        "aspect": "kuantitas",
                        "target": 1200,
                        "unit": "pasien",
                        "direction": "higher_is_better",
                    },
                    {
                        "iki_id": f"{SKP_ID}.rhk1.iki2",
                        "indicator": "Waktu tunggu",
                        "aspect": "waktu",
                        "target": 30,
                        "unit": "menit",
                        "direction": "lower_is_better",
                    },
                ],
            },
            {
                "rhk_id": f"{SKP_ID}.rhk2",
                "description": "Penyuluhan",
                "kind": "tambahan",
                "intervenes_rhk_id": None,
                "iki": [
                    {
                        "iki_id": f"{SKP_ID}.rhk2.iki1",
                        "indicator": "Sesi penyuluhan",
                        "aspect": "kuantitas",
                        "target": 10,
                        "unit": "sesi",
                        "direction": "higher_is_better",
                    }
                ],
            },
        ],
    }
    plan.update(overrides)
    return plan


def envelope(
    event_type: str,
    payload: dict[str, Any],
    *,
    tenant: str = TENANT,
    aggregate_version: int = 3,
    occurred_at: datetime | None = None,
) -> Envelope:
    """A planning event, validated against the contract as the consumer would receive it."""
    return CATALOG.prepare(
        Envelope.new(
            event_type=event_type,
            schema_version=1,
            producer="planning",
            tenant=tenant,
            aggregate_id=payload["skp_id"],
            aggregate_version=aggregate_version,
            payload=payload,
            correlation_id=str(uuid.uuid4()),
            occurred_at=occurred_at or datetime.now(UTC),
        )
    )


def progress_payload(iki: str, quarter: int, value: float, **overrides: Any) -> dict[str, Any]:
    rhk = iki.rsplit(".", 1)[0]
    return {
        "skp_id": SKP_ID,
        "nip": EMPLOYEE,
        "period_year": YEAR,
        "quarter": quarter,
        "rhk_id": f"{SKP_ID}.{rhk}",
        "iki_id": f"{SKP_ID}.{iki}",
        "value": value,
        "note": None,
        "evidence_url": None,
        **overrides,
    }
