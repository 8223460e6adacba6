"""The SKP aggregate's workflow rules, and the planning API on a SQLite file."""

from __future__ import annotations

import json

import pytest

from services.planning.domain.skp import Person, PlanContent, Skp, SkpStatus
from shared.auth import TokenService
from shared.errors import DomainError, Forbidden
from tests.unit.planning.fixtures import ADMIN, ANDI, BUDI, SITI, draft, planning_api, rhk

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
    yield from planning_api(tmp_path)


@pytest.fixture
def body(api) -> dict:
    budi_rhk = draft(api, BUDI, [rhk("Layanan kesehatan dasar", perspective="penerima_layanan")]).json["rhk"]
    return {"period_year": 2026, "rhk": [rhk("Pelayanan pasien", budi_rhk[0]["rhk_id"])]}


def test_happy_path_publishes_plan_events_through_the_outbox(api, body) -> None:
    created = api.call("POST", "/api/v1/skp", SITI, json=body)
    assert created.status_code == 201, created.json
    skp_id = created.json["skp_id"]
    assert api.call("POST", f"/api/v1/skp/{skp_id}/submit", SITI).json["status"] == "submitted"
    approved = api.call("POST", f"/api/v1/skp/{skp_id}/approve", BUDI, "pegawai", "atasan")
    assert approved.json["status"] == "approved"
    iki_id = approved.json["rhk"][0]["iki"][0]["iki_id"]
    reported = api.call(
        "POST", f"/api/v1/skp/{skp_id}/realisasi", SITI, json={"quarter": 4, "iki_id": iki_id, "value": 1300}
    )
    assert reported.status_code == 200
    events = api.published()
    assert [e.event_type for e in events] == ["plan.submitted", "plan.approved", "progress.reported"]
    assert events[1].payload["approved_by"] == BUDI
    assert (events[1].tenant, events[1].aggregate_id) == ("1671", skp_id)
    assert events[2].payload["value"] == 1300


def test_correlation_id_flows_from_the_request_to_the_event(api, body) -> None:
    skp_id = api.call("POST", "/api/v1/skp", SITI, json=body).json["skp_id"]
    response = api.client.post(f"/api/v1/skp/{skp_id}/submit", headers={**api.auth(SITI), "X-Correlation-ID": "req-77"})
    assert response.headers["X-Correlation-ID"] == "req-77"
    assert api.published()[0].correlation_id == "req-77"


def test_second_skp_for_the_same_period_is_refused(api, body) -> None:
    assert api.call("POST", "/api/v1/skp", SITI, json=body).status_code == 201
    again = api.call("POST", "/api/v1/skp", SITI, json=body)
    assert again.status_code == 409
    assert again.json["error"]["code"] == "skp_exists"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"period_year": "2026"}, "period_year"),
        ({"rhk": []}, "rhk"),
        ({"rhk": [{**RHK[0], "iki": [{**RHK[0]["iki"][0], "aspect": "keindahan"}]}]}, "rhk.0.iki.0.aspect"),
        ({"rhk": [{**RHK[0], "iki": [{**RHK[0]["iki"][0], "target": -1}]}]}, "rhk.0.iki.0.target"),
        ({"rhk": [{**RHK[0], "perspective": "kebahagiaan"}]}, "rhk.0.perspective"),
        ({"annex": {"konsekuensi": [""]}}, "annex.konsekuensi.0"),
        ({"atasan": {"nip": BUDI, "name": "B"}}, "atasan"),  # the atasan comes from the register
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(api, body, change, field) -> None:
    response = api.call("POST", "/api/v1/skp", SITI, json={**body, **change})
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "invalid_input"
    assert field in [d["field"] for d in error["details"]]
    assert api.call("GET", "/api/v1/skp", SITI).json == []
    assert api.published() == []


def test_malformed_json_is_a_400_in_the_error_format(api) -> None:
    headers = {**api.auth(SITI), "Content-Type": "application/json"}
    response = api.client.post("/api/v1/skp", data="{oops", headers=headers)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "malformed_request"


def test_errors_speak_indonesian_by_default_and_english_on_request(api, body) -> None:
    bad = {**body, "period_year": None}
    indonesian = api.call("POST", "/api/v1/skp", SITI, json=bad).json["error"]
    english = api.call("POST", "/api/v1/skp?lang=en", SITI, json=bad).json["error"]
    assert indonesian["message"] == "Data yang dikirim tidak valid."
    assert english["message"] == "The submitted data is invalid."
    assert indonesian["details"][0]["reason"] == "Tidak boleh kosong (null)."
    assert english["details"][0]["reason"] == "Field may not be null."


def test_authentication_and_roles(api, body) -> None:
    client = api.client
    assert client.get("/api/v1/skp").status_code == 401
    assert client.get("/api/v1/skp", headers={"Authorization": "Bearer not.a.jwt"}).status_code == 401
    forged = TokenService("x" * 40, "kinerja", "kinerja-api").mint(SITI, ["admin_instansi"], "1671")
    assert client.get("/api/v1/skp", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    skp_id = api.call("POST", "/api/v1/skp", SITI, json=body).json["skp_id"]
    api.call("POST", f"/api/v1/skp/{skp_id}/submit", SITI)
    # pegawai without the atasan role, and an atasan who is not this employee's atasan
    assert api.call("POST", f"/api/v1/skp/{skp_id}/approve", SITI).status_code == 403
    assert api.call("POST", f"/api/v1/skp/{skp_id}/approve", ANDI, "atasan").status_code == 403
    assert api.call("GET", f"/api/v1/skp/{skp_id}", ANDI).status_code == 403
    assert api.call("GET", f"/api/v1/skp/{skp_id}", ADMIN, "admin_instansi").status_code == 200
    # another instansi does not see it at all
    assert api.call("GET", f"/api/v1/skp/{skp_id}", BUDI, "atasan", tenant="3674").status_code == 404
    assert api.call("GET", f"/api/v1/skp/{skp_id}", BUDI, "atasan").status_code == 200
    assert [e.event_type for e in api.published()] == ["plan.submitted"]  # refusals changed nothing


def test_atasan_lists_subordinates_plans(api, body) -> None:
    api.call("POST", "/api/v1/skp", SITI, json=body)
    listed = api.call("GET", f"/api/v1/skp?atasan_nip={BUDI}", BUDI, "atasan").json
    assert [s["nip"] for s in listed] == [SITI]
    assert api.call("GET", f"/api/v1/skp?nip={SITI}", ANDI).status_code == 403
    by_year = api.call("GET", f"/api/v1/skp?atasan_nip={BUDI}&period_year=2026", BUDI, "atasan")
    assert [s["period_year"] for s in by_year.json] == [2026]
    assert api.call("GET", f"/api/v1/skp?atasan_nip={BUDI}&period_year=2025", BUDI, "atasan").json == []
    assert api.call("GET", "/api/v1/skp?period_year=dua", SITI).status_code == 422


def test_health_and_openapi_need_no_token(api) -> None:
    client = api.client
    assert client.get("/healthz").json["status"] == "ok"
    assert client.get("/readyz").json["database"] == "ok"
    spec = client.get("/openapi.json").json
    assert "/api/v1/skp/{skp_id}/approve" in spec["paths"]
    assert "/api/v1/organisation/import" in spec["paths"]
    assert json.dumps(spec).count("bearerAuth") >= 1
