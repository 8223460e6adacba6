"""Real event payloads and envelopes for the notifications unit tests."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from services.notifications.bootstrap import event_handlers
from shared.contracts import CATALOG
from shared.events import Envelope
from shared.messaging.consumer import IdempotentConsumer
from shared.runtime import ServiceRuntime
from tests.unit.shared.conftest import FakeProducer

TENANT = "1671"
EMPLOYEE = "198503302010011002"
ATASAN = "197001012000031001"
OTHER = "199001012015032003"

PAYLOADS: dict[str, dict[str, Any]] = {
    "plan.submitted": {
        "skp_id": f"skp-{EMPLOYEE}-2026",
        "nip": EMPLOYEE,
        "employee_name": "Siti Aminah",
        "atasan_nip": ATASAN,
        "atasan_name": "Budi Santoso",
        "unit": "Puskesmas Sukarami",
        "period_year": 2026,
        "rhk": [
            {
                "rhk_id": "r1",
                "description": "Pelayanan pasien",
                "kind": "utama",
                "intervenes_rhk_id": None,
                "iki": [
                    {
                        "iki_id": "i1",
                        "indicator": "Pasien dilayani",
                        "aspect": "kuantitas",
                        "target": 1200,
                        "unit": "pasien",
                        "direction": "higher_is_better",
                    }
                ],
            }
        ],
    },
    "plan.returned": {
        "skp_id": f"skp-{EMPLOYEE}-2026",
        "nip": EMPLOYEE,
        "employee_name": "Siti Aminah",
        "period_year": 2026,
        "returned_by": ATASAN,
        "reason": "Target IKI terlalu rendah dibanding tahun lalu",
    },
    "evaluation.completed": {
        "evaluation_id": "ev-1",
        "nip": EMPLOYEE,
        "employee_name": "Siti Aminah",
        "atasan_nip": ATASAN,
        "unit": "Puskesmas Sukarami",
        "period_year": 2026,
        "period": "annual",
        "rating_hasil_kerja": "di_atas_ekspektasi",
        "rating_perilaku_kerja": "sesuai_ekspektasi",
        "predikat": "baik",
        "breakdown": [],
        "explanation": ["Sebagian besar hasil kerja di atas ekspektasi."],
    },
    "reward.granted": {
        "decision_id": "d-1",
        "evaluation_id": "ev-1",
        "nip": EMPLOYEE,
        "employee_name": "Siti Aminah",
        "period_year": 2026,
        "predikat": "sangat_baik",
        "incentive_percentage": 100.0,
        "awards": ["sertifikat_penghargaan", "prioritas_pelatihan"],
        "promotion_eligible": True,
        "policy_version": "1671-2026.1",
    },
    "coaching.assigned": {
        "coaching_id": "c-1",
        "evaluation_id": "ev-1",
        "nip": EMPLOYEE,
        "employee_name": "Siti Aminah",
        "coach_nip": ATASAN,
        "period_year": 2026,
        "predikat": "butuh_perbaikan",
        "incentive_percentage": 90.0,
        "duration_months": 6,
        "goals": ["Ketepatan waktu laporan", "Orientasi pelayanan"],
        "policy_version": "1671-2026.1",
    },
}
PAYLOADS["plan.approved"] = {**PAYLOADS["plan.submitted"], "approved_by": ATASAN}

# The contract's own samples for the rest (same employee and atasan).
CONTRACT_SAMPLES = Path(__file__).resolve().parents[2] / "contract" / "samples"
for _type in (
    "plan.amended",
    "realisasi.feedback_given",
    "evaluation.revised",
    "progress.reported",
    "employee.registered",
    "employee.updated",
    "employee.moved",
    "unit.registered",
    "appeal.filed",
    "appeal.decided",
    "evaluation.calibrated",
    "reward.revoked",
    "coaching.check_in_recorded",
    "coaching.closed",
    "training.recommended",
    "incentive.calculated",
):
    PAYLOADS.setdefault(_type, json.loads((CONTRACT_SAMPLES / f"{_type}.v1.json").read_text(encoding="utf-8")))


def employee(nip: str, name: str, **changes: Any) -> dict[str, Any]:
    """An employee record as the organisation events carry it."""
    return {**PAYLOADS["employee.registered"], "nip": nip, "name": name, **changes}


def payload(event_type: str, **changes: Any) -> dict[str, Any]:
    return {**PAYLOADS[event_type], **changes}


def wire_envelope(
    event_type: str, tenant: str = TENANT, occurred_at: datetime | None = None, **changes: Any
) -> Envelope:
    """An event as it arrives from the broker, not yet read by anyone."""
    return Envelope.new(
        occurred_at=occurred_at,
        event_type=event_type,
        schema_version=CATALOG.latest(event_type).version,
        producer="test",
        tenant=tenant,
        aggregate_id="agg-1",
        aggregate_version=1,
        payload=payload(event_type, **changes),
        correlation_id="corr-1",
    )


def envelope(event_type: str, tenant: str = TENANT, occurred_at: datetime | None = None, **changes: Any) -> Envelope:
    """An event as the consumer hands a handler that reads it whole: validated against the contract."""
    return CATALOG.read(wire_envelope(event_type, tenant, occurred_at, **changes))


def worker_consumer(
    runtime: ServiceRuntime, dlq_producer: Any = None, name: str = "kinerja-notifications"
) -> IdempotentConsumer:
    """The worker's consumer (its handlers, their `reads`) on a fake dead-letter producer."""
    return IdempotentConsumer(
        name=name,
        catalog=CATALOG,
        handlers=event_handlers(runtime),
        uow_factory=runtime.uow,
        dlq_producer=dlq_producer or FakeProducer(),
        sleep=lambda _s: None,
    )
