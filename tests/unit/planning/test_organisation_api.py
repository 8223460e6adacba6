"""The organisation register API on a SQLite file: commands and their events, the read functions
other planning code uses, the unfixed-atasan list, and who may do what (every role)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from services.planning.adapters import organisation_view as view
from services.planning.adapters.tables import eventing
from services.planning.bootstrap import create_app
from tests.unit.service_harness import bearer, sqlite_runtime

API = "/api/v1/organisation"
ADMIN, SEKDA, KADIS, STAFF, STAFF2, OUTSIDER = (
    "196501011990031001",
    "197001011995031001",
    "197505052000031002",
    "199001012015032005",
    "199202022016031007",
    "198808082012121009",
)


def employee(nip: str, name: str, unit: str, kind: str, atasan: str | None, head: bool = False) -> dict[str, Any]:
    return {
        "nip": nip, "name": name, "employee_type": "pns", "unit_id": unit, "position_name": name,
        "position_kind": kind, "is_unit_head": head, "atasan_nip": atasan,
    }  # fmt: skip


class Api:
    def __init__(self, runtime) -> None:
        self.runtime = runtime
        self.client = create_app(runtime).test_client()

    def as_(self, nip: str, *roles: str, tenant: str = "1671") -> dict[str, str]:
        return bearer(self.runtime, nip, roles, tenant)

    def stored(self) -> tuple[int, int]:
        with self.runtime.engine.connect() as conn:
            return tuple(  # type: ignore[return-value]
                conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (eventing.event_store, eventing.outbox)
            )

    def events(self) -> list[tuple[str, dict[str, Any]]]:
        with self.runtime.engine.connect() as conn:
            rows = conn.execute(
                select(eventing.outbox.c.event_type, eventing.outbox.c.value).order_by(eventing.outbox.c.id)
            )
            return [(t, json.loads(v)) for t, v in rows]


@pytest.fixture
def api(tmp_path: Path):
    with sqlite_runtime("planning", tmp_path) as runtime:
        api = Api(runtime)
        admin = api.as_(ADMIN, "admin_instansi", "pegawai")
        for unit in [
            {"unit_id": "SETDA", "name": "Sekretariat Daerah"},
            {"unit_id": "DINKES", "name": "Dinas Kesehatan", "parent_unit_id": "SETDA", "serves_public": True},
        ]:
            assert api.client.post(f"{API}/units", json=unit, headers=admin).status_code == 201
        for person in [
            employee(SEKDA, "Sekda", "SETDA", "jpt", None, head=True),
            employee(KADIS, "Kadis", "DINKES", "jpt", SEKDA, head=True),
            employee(STAFF, "Siti", "DINKES", "pelaksana", KADIS),
            employee(STAFF2, "Rudi", "DINKES", "pelaksana", KADIS),
        ]:
            response = api.client.post(f"{API}/employees", json=person, headers=admin)
            assert response.status_code == 201, response.json
        yield api


def test_commands_publish_their_events_with_the_whole_record(api: Api) -> None:
    admin = api.as_(ADMIN, "admin_instansi")
    moved = api.client.post(
        f"{API}/employees/{STAFF}/move",
        json={"unit_id": "SETDA", "position_name": "Analis", "position_kind": "pelaksana"},
        headers=admin,
    )
    assert moved.status_code == 200
    assert (moved.json["unit_name"], moved.json["version"]) == ("Sekretariat Daerah", 2)
    assert (
        api.client.post(f"{API}/employees/{STAFF}/atasan", json={"atasan_nip": SEKDA}, headers=admin).json[
            "atasan_name"
        ]
        == "Sekda"
    )
    assert (
        api.client.patch(f"{API}/employees/{STAFF}", json={"email": "siti@example.go.id"}, headers=admin).status_code
        == 200
    )
    assert api.client.post(f"{API}/employees/{STAFF}/deactivate", headers=admin).json["active"] is False
    renamed = api.client.patch(f"{API}/units/DINKES", json={"name": "Dinas Kesehatan Kota"}, headers=admin)
    assert renamed.json["name"] == "Dinas Kesehatan Kota"
    events = api.events()[6:]
    assert [t for t, _ in events] == [
        "employee.moved", "employee.atasan_changed", "employee.updated", "employee.updated", "unit.changed",
    ]  # fmt: skip
    assert events[0][1]["payload"]["from_unit_id"] == "DINKES"
    assert events[0][1]["aggregate_id"] == f"employee:1671:{STAFF}"
    assert events[0][1]["aggregate_version"] == 2
    assert events[1][1]["payload"]["from_atasan_nip"] == KADIS
    assert events[3][1]["payload"]["changed"] == ["active"]
    assert events[4][1]["payload"]["changed"] == ["name"]
    # nothing to change: no event
    before = api.stored()
    assert (
        api.client.post(f"{API}/employees/{STAFF}/atasan", json={"atasan_nip": SEKDA}, headers=admin).status_code == 200
    )
    assert api.stored() == before


def test_commands_refuse_what_breaks_the_rules(api: Api) -> None:
    admin = api.as_(ADMIN, "admin_instansi")
    before = api.stored()
    refusals = [
        api.client.post(f"{API}/units", json={"unit_id": "DINKES", "name": "Again"}, headers=admin),
        api.client.post(f"{API}/units", json={"unit_id": "X", "name": "X", "parent_unit_id": "NOPE"}, headers=admin),
        api.client.patch(f"{API}/units/SETDA", json={"parent_unit_id": "DINKES"}, headers=admin),
        api.client.post(f"{API}/employees", json=employee(STAFF, "Dup", "DINKES", "pelaksana", KADIS), headers=admin),
        api.client.post(f"{API}/employees", json=employee(OUTSIDER, "X", "NOPE", "pelaksana", KADIS), headers=admin),
        api.client.post(f"{API}/employees/{STAFF}/atasan", json={"atasan_nip": STAFF}, headers=admin),
        api.client.patch(f"{API}/employees/{STAFF}", json={"employee_type": "pppk"}, headers=admin),
    ]
    assert [r.status_code for r in refusals] == [409] * 7
    assert [r.json["error"]["code"] for r in refusals] == [
        "unit_exists", "unit_parent_unknown", "unit_cycle", "employee_exists", "unit_not_registered",
        "atasan_is_self", "nip_type_mismatch",
    ]  # fmt: skip
    invalid = api.client.post(
        f"{API}/employees?lang=en",
        json=employee("198502302010011002", "X", "DINKES", "pelaksana", KADIS),
        headers=admin,
    )
    assert invalid.status_code == 422
    assert invalid.json["error"]["details"][0]["field"] == "nip"
    assert "nip_birth_date_invalid" in invalid.json["error"]["details"][0]["reason"]
    assert api.stored() == before


def test_employees_without_a_valid_atasan_are_listed_with_the_reason(api: Api) -> None:
    admin = api.as_(ADMIN, "admin_instansi")
    api.client.post(f"{API}/employees/{STAFF}/atasan", json={"atasan_nip": STAFF2}, headers=admin)  # a peer
    api.client.post(f"{API}/employees/{STAFF2}/atasan", json={"atasan_nip": None}, headers=admin)
    api.client.post(f"{API}/employees", json=employee(OUTSIDER, "Ani", "DINKES", "pelaksana", ADMIN), headers=admin)
    listed = api.client.get(f"{API}/employees/without-valid-atasan?lang=en", headers=admin).json
    assert {(e["nip"], e["reason"]) for e in listed} == {
        (STAFF, "atasan_not_above"), (STAFF2, "atasan_missing"), (OUTSIDER, "atasan_not_registered"),
    }  # fmt: skip
    assert all(e["message"] for e in listed)


def test_the_read_functions_other_planning_code_uses(api: Api) -> None:
    admin = api.as_(ADMIN, "admin_instansi")
    api.client.post(f"{API}/employees/{STAFF2}/deactivate", headers=admin)
    api.client.patch(f"{API}/units/DINKES", json={"name": "Dinkes Kota"}, headers=admin)
    with api.runtime.session_factory() as session:
        found = view.find_employee(session, "1671", STAFF)
        assert found is not None
        assert (found["unit_name"], found["atasan_name"], found["employee_type"]) == ("Dinkes Kota", "Kadis", "pns")
        assert view.find_employee(session, "9999", STAFF) is None
        assert [e["nip"] for e in view.direct_subordinates(session, "1671", KADIS)] == [STAFF]
        assert view.find_unit(session, "1671", "DINKES")["serves_public"] is True
        assert view.find_unit(session, "9999", "DINKES") is None
        assert [e["nip"] for e in view.unit_heads(session, "1671", "DINKES")] == [KADIS]


# -- access: every role --------------------------------------------------------------------
def test_admin_lists_filters_and_pages_the_register_of_their_own_instansi(api: Api) -> None:
    admin = api.as_(ADMIN, "admin_instansi")
    page = api.client.get(f"{API}/employees?unit_id=DINKES&limit=2&offset=1", headers=admin).json
    assert (page["total"], [e["name"] for e in page["items"]]) == (3, ["Rudi", "Siti"])
    assert api.client.get(f"{API}/employees?position_kind=jpt", headers=admin).json["total"] == 2
    assert api.client.get(f"{API}/employees?atasan_nip={KADIS}&active=true", headers=admin).json["total"] == 2
    tree = api.client.get(f"{API}/units/tree", headers=admin).json
    assert [(u["unit_id"], [c["unit_id"] for c in u["children"]]) for u in tree] == [("SETDA", ["DINKES"])]


def test_a_pegawai_reads_only_their_own_record(api: Api) -> None:
    pegawai = api.as_(STAFF, "pegawai")
    assert api.client.get(f"{API}/employees/{STAFF}", headers=pegawai).json["name"] == "Siti"
    assert api.client.get(f"{API}/employees/{STAFF2}", headers=pegawai).status_code == 403
    assert api.client.get(f"{API}/employees", headers=pegawai).status_code == 403
    assert api.client.get(f"{API}/units", headers=pegawai).status_code == 403


def test_an_atasan_reads_their_direct_subordinates_only(api: Api) -> None:
    kadis = api.as_(KADIS, "pegawai", "atasan")
    assert api.client.get(f"{API}/employees/{STAFF}", headers=kadis).status_code == 200
    assert api.client.get(f"{API}/employees/{SEKDA}", headers=kadis).status_code == 403
    team = api.client.get(f"{API}/employees?atasan_nip={KADIS}", headers=kadis).json
    assert {e["nip"] for e in team["items"]} == {STAFF, STAFF2}
    assert api.client.get(f"{API}/employees?atasan_nip={SEKDA}", headers=kadis).status_code == 403
    sekda_as_pegawai_only = api.as_(SEKDA, "pegawai")  # the atasan role is needed to read subordinates
    assert api.client.get(f"{API}/employees/{KADIS}", headers=sekda_as_pegawai_only).status_code == 403


@pytest.mark.parametrize("roles", [("pegawai",), ("pegawai", "atasan"), ("agency",)])
def test_only_the_admin_writes_and_a_refusal_changes_nothing(api: Api, roles: tuple[str, ...]) -> None:
    headers = api.as_(KADIS, *roles)
    before = api.stored()
    attempts = [
        api.client.post(f"{API}/units", json={"unit_id": "X", "name": "X"}, headers=headers),
        api.client.patch(f"{API}/units/DINKES", json={"name": "X"}, headers=headers),
        api.client.post(
            f"{API}/employees", json=employee(OUTSIDER, "X", "DINKES", "pelaksana", KADIS), headers=headers
        ),
        api.client.post(
            f"{API}/employees/{STAFF}/move",
            json={"unit_id": "SETDA", "position_name": "X", "position_kind": "pelaksana"},
            headers=headers,
        ),
        api.client.post(f"{API}/employees/{STAFF}/atasan", json={"atasan_nip": SEKDA}, headers=headers),
        api.client.patch(f"{API}/employees/{STAFF}", json={"name": "X"}, headers=headers),
        api.client.post(f"{API}/employees/{STAFF}/deactivate", headers=headers),
        api.client.post(f"{API}/import", data={}, headers=headers, content_type="multipart/form-data"),
        api.client.get(f"{API}/employees/without-valid-atasan", headers=headers),
        api.client.get(f"{API}/import/template", headers=headers),
        api.client.get(f"{API}/units/tree", headers=headers),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert api.stored() == before


def test_another_instansi_sees_nothing_and_can_reuse_the_same_codes(api: Api) -> None:
    other = api.as_(OUTSIDER, "admin_instansi", "pegawai", "atasan", tenant="3674")
    assert api.client.get(f"{API}/employees/{STAFF}", headers=other).status_code == 404
    assert api.client.get(f"{API}/units/DINKES", headers=other).status_code == 404
    assert api.client.get(f"{API}/employees", headers=other).json["total"] == 0
    assert api.client.get(f"{API}/units", headers=other).json == []
    assert api.client.get(f"{API}/employees/without-valid-atasan", headers=other).json == []
    assert api.client.post(f"{API}/employees/{STAFF}/deactivate", headers=other).status_code == 404
    # the same unit code and NIP in another instansi are another aggregate
    assert (
        api.client.post(f"{API}/units", json={"unit_id": "DINKES", "name": "Dinkes"}, headers=other).status_code == 201
    )
    again = api.client.post(
        f"{API}/employees", json=employee(STAFF, "Siti", "DINKES", "pelaksana", None), headers=other
    )
    assert again.status_code == 201
    assert api.client.get(f"{API}/employees/{STAFF}", headers=api.as_(ADMIN, "admin_instansi")).json["name"] == "Siti"
    assert api.events()[-1][1]["tenant"] == "3674"
