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
AGENCY = "197501012000011001"
UNIT = "puskesmas-sukarami"


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
    weaknesses: list[dict] | None = None,
    atasan_nip: str = ATASAN,
) -> dict[str, Any]:
    return {
        "evaluation_id": evaluation_id or f"eval-{nip}-{period_year}-{period}",
        "nip": nip,
        "employee_name": "Siti Aminah",
        "atasan_nip": atasan_nip,
        "unit": "Puskesmas Sukarami",
        "period_year": period_year,
        "period": period,
        "rating_hasil_kerja": "sesuai_ekspektasi",
        "rating_perilaku_kerja": "sesuai_ekspektasi",
        "predikat": predikat,
        "breakdown": breakdown if breakdown is not None else [iki("Pasien dilayani", 66.7, 1200, 800)],
        "explanation": ["contoh"],
        "weaknesses": weaknesses or [],
    }


def revised_payload(
    *, revision: int, previous_predikat: str, reason: str = "Keberatan dikabulkan", **kwargs: Any
) -> dict:
    return {
        **evaluation_payload(**kwargs),
        "revision": revision,
        "revision_reason": reason,
        "previous_predikat": previous_predikat,
    }


def weakness(kind: str, ref: str, label: str, gap: float) -> dict:
    return {"kind": kind, "ref": ref, "label": label, "gap": gap}


def employee_record(
    nip: str = EMPLOYEE,
    *,
    position_kind: str = "pelaksana",
    grade: str | None = None,
    unit_id: str = UNIT,
    unit_name: str = "Puskesmas Sukarami",
    atasan: str | None = ATASAN,
    name: str = "Siti Aminah",
) -> dict[str, Any]:
    return {
        "nip": nip,
        "name": name,
        "employee_type": "pns",
        "unit_id": unit_id,
        "unit_name": unit_name,
        "position_name": "Pranata Komputer" if position_kind == "fungsional" else "Pengadministrasi",
        "position_kind": position_kind,
        "position_grade": grade,
        "is_unit_head": False,
        "atasan_nip": atasan,
        "atasan_name": "Budi Santoso" if atasan else None,
        "email": None,
        "active": True,
    }


def plan_payload(nip: str = EMPLOYEE, iki_aspects: dict[str, str] | None = None) -> dict[str, Any]:
    aspects = iki_aspects or {"iki-Pasien dilayani": "kuantitas"}
    return {
        "skp_id": f"skp-{nip}-2026",
        "nip": nip,
        "employee_name": "Siti Aminah",
        "atasan_nip": ATASAN,
        "atasan_name": "Budi Santoso",
        "unit": "Puskesmas Sukarami",
        "period_year": 2026,
        "approved_by": ATASAN,
        "rhk": [
            {
                "rhk_id": "rhk1",
                "description": "Layanan kesehatan dasar",
                "kind": "utama",
                "iki": [
                    {
                        "iki_id": iki_id,
                        "indicator": iki_id,
                        "aspect": aspect,
                        "target": 100,
                        "unit": "x",
                        "direction": "higher_is_better",
                    }
                    for iki_id, aspect in aspects.items()
                ],
            }
        ],
    }


def envelope(payload: dict[str, Any], tenant: str = TENANT, event_type: str | None = None) -> Envelope:
    if event_type is None:
        event_type = "evaluation.revised" if "revision" in payload else "evaluation.completed"
    return CATALOG.prepare(
        Envelope.new(
            event_type=event_type,
            schema_version=1,
            producer="evaluation",
            tenant=tenant,
            aggregate_id=payload.get("evaluation_id") or payload.get("skp_id") or payload["nip"],
            aggregate_version=1,
            payload=payload,
            correlation_id=str(uuid.uuid4()),
        )
    )
