"""The SKP aggregate's workflow rules, and the planning API on a SQLite file."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from services.planning.adapters.tables import eventing
from services.planning.bootstrap import create_app
from services.planning.domain.skp import Person, PlanContent, Skp, SkpStatus
from shared.auth import TokenService
from shared.errors import DomainError, Forbidden
from shared.events import Envelope
from tests.unit.service_harness import bearer, sqlite_runtime

EMPLOYEE, ATASAN, OTHER = "198503302010011002", "197001012000031001", "199001012015032003"
RHK = [
    {
        "description": "Pelayanan pasien",
        "kind": "utama",
        "iki": [
            {
                "indicator": "Pasien dilayani",
                "aspect": "kuantitas",
                "target": 1200,
                "unit": "pasien",
                "direction": "higher_is_better",
            }
        ],
    }
]


def new_skp() -> Skp:
    return Skp.draft(
        tenant="1671",
        owner=Person(EMPLOYEE, "Siti"),
        atasan=Person(ATASAN, "Budi"),
        unit="Puskesmas Sukarami",
        period_year=2026,
        content=PlanContent(RHK),
    )


def test_workflow_draft_submit_return_resubmit_approve() -> None:
    skp = new_skp()
    skp.submit(EMPLOYEE)
    skp.return_to_employee(ATASAN, "Target kurang jelas")
    assert (skp.status, skp.return_reason) == (SkpStatus.RETURNED, "Target kurang jelas")
    skp.revise(EMPLOYEE, PlanContent(RHK))
    skp.submit(EMPLOYEE)
    skp.approve(ATASAN)
    assert skp.status == SkpStatus.APPROVED
    assert [e.event_type for e in skp.pending] == [
        "skp.drafted",
        "skp.submitted",
        "skp.returned",
        "skp.revised",
        "skp.submitted",
        "skp.approved",
    ]
    rebuilt = Skp.rehydrate(skp.id, skp.pending)
    assert (rebuilt.status, rebuilt.version, rebuilt.rhk) == (SkpStatus.APPROVED, 6, skp.rhk)


def test_only_the_atasan_approves_and_only_a_submitted_plan() -> None:
    skp = new_skp()
    with pytest.raises(DomainError, match="draft"):
        skp.approve(ATASAN)
    skp.submit(EMPLOYEE)
    with pytest.raises(Forbidden):
        skp.approve(EMPLOYEE)
    with pytest.raises(Forbidden):
        skp.approve(OTHER)


def test_realisasi_only_on_an_approved_plan_and_a_known_iki() -> None:
    skp = new_skp()
    iki_id = skp.rhk[0]["iki"][0]["iki_id"]
    with pytest.raises(DomainError):
        skp.report_progress(EMPLOYEE, quarter=1, iki_id=iki_id, value=10, note=None)
    skp.submit(EMPLOYEE)
    skp.approve(ATASAN)
    with pytest.raises(DomainError) as info:
        skp.report_progress(EMPLOYEE, quarter=1, iki_id="nope", value=10, note=None)
    assert info.value.field == "iki_id"
    skp.report_progress(EMPLOYEE, quarter=1, iki_id=iki_id, value=10, note=None)
    skp.report_progress(EMPLOYEE, quarter=1, iki_id=iki_id, value=25, note="koreksi")
    assert skp.realisasi[f"{iki_id}@Q1"]["value"] == 25


def test_atasan_cannot_be_the_employee() -> None:
    with pytest.raises(DomainError) as info:
        Skp.draft(
            tenant="1671",
            owner=Person(EMPLOYEE, "Siti"),
            atasan=Person(EMPLOYEE, "Siti"),
            unit="U",
            period_year=2026,
            content=PlanContent(RHK),
        )
    assert info.value.field == "atasan.nip"


# --- the API ------------------------------------------------------------------------------------


@pytest.fixture
def api(tmp_path):
    with sqlite_runtime("planning", tmp_path) as runtime:

        def auth(nip: str, *roles: str, tenant: str = "1671") -> dict[str, str]:
            return bearer(runtime, nip, roles or ["pegawai"], tenant)

        yield create_app(runtime).test_client(), auth, runtime


def outbox(runtime) -> list[dict]:
    with runtime.engine.connect() as conn:
        rows = conn.execute(
            select(eventing.outbox.c.event_type, eventing.outbox.c.value).order_by(eventing.outbox.c.id)
        ).all()
    return [{"type": r.event_type, "envelope": Envelope.from_json(r.value)} for r in rows]


BODY = {
    "period_year": 2026,
    "employee_name": "Siti",
    "unit": "Puskesmas Sukarami",
    "atasan": {"nip": ATASAN, "name": "Budi"},
    "rhk": RHK,
}


def test_happy_path_publishes_plan_events_through_the_outbox(api) -> None:
    client, auth, runtime = api
    created = client.post("/api/v1/skp", json=BODY, headers=auth(EMPLOYEE))
    assert created.status_code == 201, created.json
    skp_id = created.json["skp_id"]
    assert client.post(f"/api/v1/skp/{skp_id}/submit", headers=auth(EMPLOYEE)).json["status"] == "submitted"
    approved = client.post(f"/api/v1/skp/{skp_id}/approve", headers=auth(ATASAN, "pegawai", "atasan"))
    assert approved.json["status"] == "approved"
    iki_id = approved.json["rhk"][0]["iki"][0]["iki_id"]
    reported = client.post(
        f"/api/v1/skp/{skp_id}/realisasi", json={"quarter": 4, "iki_id": iki_id, "value": 1300}, headers=auth(EMPLOYEE)
    )
    assert reported.status_code == 200
    events = outbox(runtime)
    assert [e["type"] for e in events] == ["plan.submitted", "plan.approved", "progress.reported"]
    approved_event = events[1]["envelope"]
    assert approved_event.payload["approved_by"] == ATASAN
    assert approved_event.tenant == "1671"
    assert approved_event.aggregate_id == skp_id
    assert events[2]["envelope"].payload["value"] == 1300


def test_correlation_id_flows_from_the_request_to_the_event(api) -> None:
    client, auth, runtime = api
    skp_id = client.post("/api/v1/skp", json=BODY, headers=auth(EMPLOYEE)).json["skp_id"]
    response = client.post(f"/api/v1/skp/{skp_id}/submit", headers={**auth(EMPLOYEE), "X-Correlation-ID": "req-77"})
    assert response.headers["X-Correlation-ID"] == "req-77"
    assert outbox(runtime)[0]["envelope"].correlation_id == "req-77"


def test_second_skp_for_the_same_period_is_refused(api) -> None:
    client, auth, _ = api
    assert client.post("/api/v1/skp", json=BODY, headers=auth(EMPLOYEE)).status_code == 201
    again = client.post("/api/v1/skp", json=BODY, headers=auth(EMPLOYEE))
    assert again.status_code == 409
    assert again.json["error"]["code"] == "skp_exists"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "period_year": "2026"}, "period_year"),
        ({**BODY, "atasan": {"nip": "12", "name": "B"}}, "atasan.nip"),
        ({**BODY, "rhk": []}, "rhk"),
        ({**BODY, "rhk": [{**RHK[0], "iki": [{**RHK[0]["iki"][0], "aspect": "keindahan"}]}]}, "rhk.0.iki.0.aspect"),
        ({**BODY, "rhk": [{**RHK[0], "iki": [{**RHK[0]["iki"][0], "target": -1}]}]}, "rhk.0.iki.0.target"),
        ({**BODY, "surprise": 1}, "surprise"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(api, body, field) -> None:
    client, auth, runtime = api
    response = client.post("/api/v1/skp", json=body, headers=auth(EMPLOYEE))
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "invalid_input"
    assert field in [d["field"] for d in error["details"]]
    assert client.get("/api/v1/skp", headers=auth(EMPLOYEE)).json == []
    assert outbox(runtime) == []


def test_malformed_json_is_a_400_in_the_error_format(api) -> None:
    client, auth, _ = api
    response = client.post("/api/v1/skp", data="{oops", headers={**auth(EMPLOYEE), "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "malformed_request"


def test_errors_speak_indonesian_by_default_and_english_on_request(api) -> None:
    client, auth, _ = api
    body = {**BODY, "unit": None}
    indonesian = client.post("/api/v1/skp", json=body, headers=auth(EMPLOYEE)).json["error"]
    english = client.post("/api/v1/skp?lang=en", json=body, headers=auth(EMPLOYEE)).json["error"]
    assert indonesian["message"] == "Data yang dikirim tidak valid."
    assert english["message"] == "The submitted data is invalid."
    assert indonesian["details"][0]["reason"] == "Tidak boleh kosong (null)."
    assert english["details"][0]["reason"] == "Field may not be null."


def test_authentication_and_roles(api) -> None:
    client, auth, _ = api
    assert client.get("/api/v1/skp").status_code == 401
    assert client.get("/api/v1/skp", headers={"Authorization": "Bearer not.a.jwt"}).status_code == 401
    forged = TokenService("x" * 40, "kinerja", "kinerja-api").mint(EMPLOYEE, ["admin_instansi"], "1671")
    assert client.get("/api/v1/skp", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    skp_id = client.post("/api/v1/skp", json=BODY, headers=auth(EMPLOYEE)).json["skp_id"]
    client.post(f"/api/v1/skp/{skp_id}/submit", headers=auth(EMPLOYEE))
    # pegawai without the atasan role, and an atasan who is not this employee's atasan
    assert client.post(f"/api/v1/skp/{skp_id}/approve", headers=auth(EMPLOYEE)).status_code == 403
    assert client.post(f"/api/v1/skp/{skp_id}/approve", headers=auth(OTHER, "atasan")).status_code == 403
    assert client.get(f"/api/v1/skp/{skp_id}", headers=auth(OTHER)).status_code == 403
    # another instansi does not see it at all
    assert client.get(f"/api/v1/skp/{skp_id}", headers=auth(ATASAN, "atasan", tenant="3674")).status_code == 404
    assert client.get(f"/api/v1/skp/{skp_id}", headers=auth(ATASAN, "atasan")).status_code == 200


def test_atasan_lists_subordinates_plans(api) -> None:
    client, auth, _ = api
    client.post("/api/v1/skp", json=BODY, headers=auth(EMPLOYEE))
    listed = client.get(f"/api/v1/skp?atasan_nip={ATASAN}", headers=auth(ATASAN, "atasan")).json
    assert [s["nip"] for s in listed] == [EMPLOYEE]
    assert client.get(f"/api/v1/skp?nip={EMPLOYEE}", headers=auth(OTHER)).status_code == 403
    by_year = client.get(f"/api/v1/skp?atasan_nip={ATASAN}&period_year=2026", headers=auth(ATASAN, "atasan"))
    assert [s["period_year"] for s in by_year.json] == [2026]
    assert client.get(f"/api/v1/skp?atasan_nip={ATASAN}&period_year=2025", headers=auth(ATASAN, "atasan")).json == []
    assert client.get("/api/v1/skp?period_year=dua", headers=auth(EMPLOYEE)).status_code == 422


def test_health_and_openapi_need_no_token(api) -> None:
    client, _, _ = api
    assert client.get("/healthz").json["status"] == "ok"
    assert client.get("/readyz").json["database"] == "ok"
    spec = client.get("/openapi.json").json
    assert "/api/v1/skp/{skp_id}/approve" in spec["paths"]
    assert json.dumps(spec).count("bearerAuth") >= 1
