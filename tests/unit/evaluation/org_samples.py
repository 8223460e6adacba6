"""Organisation events for the evaluation tests: a dinas with a puskesmas that serves the public,
its head (the employee's atasan) and the head of the dinas above (the atasan pejabat penilai)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from services.evaluation.adapters.tables import eventing
from shared.contracts import CATALOG
from shared.events import Envelope
from tests.unit.evaluation.evaluation_samples import ATASAN, EMPLOYEE, PEER, TENANT

KEPALA_DINAS = "196501011990031001"
DINKES = "1671-dinkes"
PUSKESMAS = "1671-dinkes-pkm-sukarami"


def org_envelope(event_type: str, payload: dict[str, Any], *, tenant: str = TENANT) -> Envelope:
    return CATALOG.prepare(
        Envelope.new(
            event_type=event_type,
            schema_version=1,
            producer="planning",
            tenant=tenant,
            aggregate_id=payload.get("nip") or payload["unit_id"],
            aggregate_version=1,
            payload=payload,
            correlation_id=str(uuid.uuid4()),
            occurred_at=datetime.now(UTC),
        )
    )


def unit(unit_id: str, name: str, parent: str | None, serves_public: bool) -> Envelope:
    payload = {"unit_id": unit_id, "name": name, "parent_unit_id": parent, "kind": None, "serves_public": serves_public}
    return org_envelope("unit.registered", payload)


def employee(nip: str, name: str, unit_id: str, atasan: str | None, *, head: bool = False) -> Envelope:
    return org_envelope(
        "employee.registered",
        {
            "nip": nip,
            "name": name,
            "employee_type": "pns",
            "unit_id": unit_id,
            "unit_name": unit_id,
            "position_name": "Kepala" if head else "Pelaksana",
            "position_kind": "administrator" if head else "pelaksana",
            "is_unit_head": head,
            "atasan_nip": atasan,
        },
    )


ORGANISATION = [
    unit(DINKES, "Dinas Kesehatan", None, False),
    unit(PUSKESMAS, "Puskesmas Sukarami", DINKES, True),
    employee(KEPALA_DINAS, "Kepala Dinas", DINKES, None, head=True),
    employee(ATASAN, "Budi Santoso", PUSKESMAS, KEPALA_DINAS, head=True),
    employee(EMPLOYEE, "Siti Aminah", PUSKESMAS, ATASAN),
    employee(PEER, "Rekan", PUSKESMAS, ATASAN),
]


def outbox_envelopes(runtime, event_type: str | None = None) -> list[Envelope]:
    with runtime.uow() as uow:
        rows = uow.session.execute(select(eventing.outbox).order_by(eventing.outbox.c.id)).mappings().all()
    envelopes = [Envelope.from_json(row["value"]) for row in rows]
    return [e for e in envelopes if event_type is None or e.event_type == event_type]
