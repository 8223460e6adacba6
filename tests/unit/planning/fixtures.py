"""A small registered organisation for the planning API tests: one puskesmas headed by Budi (the
top official of this test instansi, so his own plan is drafted but approved outside Kinerja),
Siti and Andi under him, Rina in another unit with no atasan set (the register's problem case)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from services.planning.adapters.tables import eventing
from services.planning.bootstrap import create_app
from shared.events import Envelope
from shared.runtime import ServiceRuntime
from tests.unit.service_harness import bearer, sqlite_runtime

TENANT = "1671"
ADMIN = "196805101994031002"
BUDI, SITI, ANDI, RINA = "197001012000031001", "198503302010011002", "199104152019031005", "199001012015032003"


@dataclass
class PlanningApi:
    client: FlaskClient
    runtime: ServiceRuntime

    def auth(self, nip: str, *roles: str, tenant: str = TENANT) -> dict[str, str]:
        return bearer(self.runtime, nip, roles or ["pegawai"], tenant)

    def call(self, method: str, path: str, nip: str, *roles: str, json: Any = None, tenant: str = TENANT) -> Any:
        return self.client.open(path, method=method, json=json, headers=self.auth(nip, *roles, tenant=tenant))

    def outbox(self) -> list[Envelope]:
        with self.runtime.engine.connect() as conn:
            rows = conn.execute(select(eventing.outbox.c.value).order_by(eventing.outbox.c.id)).all()
        return [Envelope.from_json(r.value) for r in rows]

    def published(self, *types: str) -> list[Envelope]:
        """The plan events published (of these types); the register's own events left out."""
        plan_events = [e for e in self.outbox() if not e.event_type.startswith(("unit.", "employee."))]
        return [e for e in plan_events if not types or e.event_type in types]


def register(api: PlanningApi, path: str, body: dict[str, Any]) -> None:
    response = api.call("POST", f"/api/v1/organisation/{path}", ADMIN, "admin_instansi", json=body)
    assert response.status_code == 201, response.json


def employee(nip: str, name: str, unit_id: str, kind: str, atasan: str | None, head: bool = False) -> dict:
    return {
        "nip": nip,
        "name": name,
        "employee_type": "pns",
        "unit_id": unit_id,
        "position_name": {"jpt": "Kepala", "pelaksana": "Perawat Pelaksana"}.get(kind, kind.title()),
        "position_kind": kind,
        "is_unit_head": head,
        "atasan_nip": atasan,
    }


def registered_organisation(runtime: ServiceRuntime) -> PlanningApi:
    """The planning API on `runtime`, with the small organisation registered through it."""
    api = PlanningApi(create_app(runtime).test_client(), runtime)
    register(api, "units", {"unit_id": "PKM", "name": "Puskesmas Sukarami", "serves_public": True})
    register(api, "units", {"unit_id": "DISDIK", "name": "Dinas Pendidikan"})
    register(api, "employees", employee(BUDI, "Budi Santoso", "PKM", "jpt", None, head=True))
    register(api, "employees", employee(SITI, "Siti Aminah", "PKM", "pelaksana", BUDI))
    register(api, "employees", employee(ANDI, "Andi Pratama", "PKM", "pelaksana", BUDI))
    register(api, "employees", employee(RINA, "Rina Wati", "DISDIK", "pelaksana", None))
    return api


def planning_api(tmp_path: Path) -> Iterator[PlanningApi]:
    with sqlite_runtime("planning", tmp_path) as runtime:
        yield registered_organisation(runtime)


def iki(indicator: str = "Pasien yang dilayani", **extra: Any) -> dict[str, Any]:
    return {"indicator": indicator, "aspect": "kuantitas", "target": 1200, "unit": "pasien", **extra}


def rhk(description: str, intervenes: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"description": description, "kind": "utama", "intervenes_rhk_id": intervenes, "iki": [iki()], **extra}


def draft(api: PlanningApi, nip: str, rhk_list: list[dict], **extra: Any) -> Any:
    return api.call("POST", "/api/v1/skp", nip, json={"period_year": 2026, "rhk": rhk_list, **extra})


Step = Callable[..., Any]
