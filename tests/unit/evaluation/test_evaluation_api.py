"""The evaluation API on SQLite: the projection is fed by calling the event handlers directly."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.evaluation.adapters.tables import eventing
from shared.contracts import CATALOG
from shared.events import Envelope
from tests.unit.evaluation.evaluation_samples import (
    ATASAN,
    BERAKHLAK,
    EMPLOYEE,
    OTHER_TENANT,
    PEER,
    SKP_ID,
    YEAR,
    envelope,
    plan_payload,
    progress_payload,
)
from tests.unit.evaluation.org_samples import DINKES, KEPALA_DINAS, ORGANISATION, PUSKESMAS
from tests.unit.evaluation.org_samples import employee as registered

EVAL_ID = f"eval-{EMPLOYEE}-{YEAR}-annual"


def _all(rating: str = "sesuai_ekspektasi") -> dict[str, str]:
    return dict.fromkeys(BERAKHLAK, rating)


def _assessment(source: str, behaviour: dict[str, str] | None = None, **extra) -> dict:
    return {"nip": EMPLOYEE, "period_year": YEAR, "source": source, "behaviour": behaviour or _all(), **extra}


def _outbox(runtime) -> list[dict]:
    with runtime.uow() as uow:
        return [dict(r) for r in uow.session.execute(select(eventing.outbox)).mappings()]


def _stored_events(runtime) -> int:
    with runtime.uow() as uow:
        return uow.session.execute(select(func.count()).select_from(eventing.event_store)).scalar_one()


@pytest.fixture
def approved(deliver):
    """An approved plan with realisasi: utama IKIs above target, the tambahan one below."""
    deliver(envelope("plan.approved", plan_payload()))
    deliver(envelope("progress.reported", progress_payload("rhk1.iki1", 1, 300), aggregate_version=4))
    deliver(envelope("progress.reported", progress_payload("rhk1.iki1", 4, 1350), aggregate_version=5))
    deliver(envelope("progress.reported", progress_payload("rhk1.iki2", 4, 25), aggregate_version=6))
    deliver(envelope("progress.reported", progress_payload("rhk2.iki1", 4, 6), aggregate_version=7))


@pytest.fixture
def atasan_assessed(client, auth, approved):
    behaviour = {**_all("di_atas_ekspektasi"), "loyal": "sesuai_ekspektasi", "adaptif": "sesuai_ekspektasi"}
    response = client.post("/api/v1/assessments", json=_assessment("atasan", behaviour), headers=auth(ATASAN, "atasan"))
    assert response.status_code == 201, response.json
    return response.json


# --- happy path ---------------------------------------------------------------------------


@pytest.fixture
def register(deliver):
    """The organisation register: the employee, her atasan and a peer in the puskesmas, the kepala dinas."""
    for event in ORGANISATION:
        deliver(event)


def test_full_flow_assessments_then_evaluation(client, auth, runtime, approved, register):
    mandiri = client.post(
        "/api/v1/assessments", json=_assessment("mandiri", feedback="Sudah berusaha."), headers=auth(EMPLOYEE)
    )
    assert mandiri.status_code == 201, mandiri.json
    assert mandiri.json["assessment_id"] == f"asm-{EMPLOYEE}-{YEAR}-mandiri-{EMPLOYEE}"
    assert mandiri.json["feedback"] == "Sudah berusaha."

    peer = client.post(
        "/api/v1/assessments",
        json=_assessment("rekan_kerja", {"harmonis": "di_atas_ekspektasi"}),
        headers=auth(PEER),
    )
    assert peer.status_code == 201, peer.json
    assert peer.json["behaviour"] == {"harmonis": "di_atas_ekspektasi"}

    behaviour = {**_all("di_atas_ekspektasi"), "loyal": "sesuai_ekspektasi"}
    atasan = client.post("/api/v1/assessments", json=_assessment("atasan", behaviour), headers=auth(ATASAN, "atasan"))
    assert atasan.status_code == 201, atasan.json
    assert (atasan.json["source"], atasan.json["assessor_nip"]) == ("atasan", ATASAN)

    response = client.post(
        "/api/v1/evaluations", json={"nip": EMPLOYEE, "period_year": YEAR}, headers=auth(ATASAN, "pegawai", "atasan")
    )
    assert response.status_code == 201, response.json
    evaluation = response.json
    assert evaluation["evaluation_id"] == EVAL_ID
    assert evaluation["period"] == "annual"
    assert (evaluation["skp_id"], evaluation["assessment_id"]) == (SKP_ID, atasan.json["assessment_id"])
    breakdown = {row["iki_id"]: row for row in evaluation["breakdown"]}
    assert breakdown[f"{SKP_ID}.rhk1.iki1"]["realisasi"] == 1350  # latest quarter, not Q1
    assert breakdown[f"{SKP_ID}.rhk1.iki1"]["achievement_pct"] == 112.5
    assert breakdown[f"{SKP_ID}.rhk1.iki2"]["achievement_pct"] == 116.67  # 25 minutes against 30
    assert breakdown[f"{SKP_ID}.rhk2.iki1"]["rating"] == "di_bawah_ekspektasi"
    assert evaluation["rating_hasil_kerja"] == "di_atas_ekspektasi"
    assert evaluation["rating_perilaku_kerja"] == "di_atas_ekspektasi"
    assert evaluation["predikat"] == "sangat_baik"
    assert (
        evaluation["explanation"][-1] == "Predikat dari matriks: hasil kerja di atas × perilaku di atas → Sangat Baik."
    )

    published = {row["event_type"]: row for row in _outbox(runtime)}
    assert set(published) == {"assessment.recorded", "evaluation.completed"}
    assert sum(1 for row in _outbox(runtime) if row["event_type"] == "assessment.recorded") == 3
    completed = published["evaluation.completed"]
    assert completed["message_key"] == EMPLOYEE
    # what went out is a valid evaluation.completed v1 carrying the same result
    payload = CATALOG.validate_payload("evaluation.completed", 1, _payload(completed))
    assert payload["predikat"] == "sangat_baik"
    assert payload["atasan_nip"] == ATASAN
    assert len(payload["breakdown"]) == 3
    assert _stored_events(runtime) == 4  # three assessments and one evaluation, one event each

    for headers in (auth(EMPLOYEE), auth(ATASAN, "atasan"), auth(PEER, "admin_instansi")):
        read = client.get(f"/api/v1/evaluations/{EVAL_ID}", headers=headers)
        assert read.status_code == 200
        assert read.json["predikat"] == "sangat_baik"


def _payload(outbox_row: dict) -> dict:
    return Envelope.from_json(outbox_row["value"]).payload


def test_quarterly_evaluation_uses_that_quarter(client, auth, atasan_assessed):
    response = client.post(
        "/api/v1/evaluations",
        json={"nip": EMPLOYEE, "period_year": YEAR, "period": "Q1"},
        headers=auth(ATASAN, "atasan"),
    )
    assert response.status_code == 201, response.json
    assert response.json["evaluation_id"] == f"eval-{EMPLOYEE}-{YEAR}-Q1"
    rows = {row["iki_id"]: row for row in response.json["breakdown"]}
    assert rows[f"{SKP_ID}.rhk1.iki1"]["realisasi"] == 300
    assert rows[f"{SKP_ID}.rhk1.iki2"]["realisasi"] is None
    assert response.json["rating_hasil_kerja"] == "di_bawah_ekspektasi"
    assert response.json["predikat"] == "butuh_perbaikan"  # di bawah × di atas


def test_plan_projection_is_readable_with_realisasi(client, auth, approved):
    response = client.get(f"/api/v1/plans/{SKP_ID}", headers=auth(EMPLOYEE))
    assert response.status_code == 200
    assert response.json["atasan_name"] == "Budi Santoso"
    assert len(response.json["rhk"]) == 2
    assert [(r["iki_id"], r["quarter"]) for r in response.json["realisasi"]][:2] == [
        (f"{SKP_ID}.rhk1.iki1", 1),
        (f"{SKP_ID}.rhk1.iki1", 4),
    ]
    assert client.get(f"/api/v1/plans/{SKP_ID}", headers=auth(PEER)).status_code == 403
    assert client.get(f"/api/v1/plans/{SKP_ID}", headers=auth(ATASAN, tenant=OTHER_TENANT)).status_code == 404
    assert client.get("/api/v1/plans/skp-unknown", headers=auth(EMPLOYEE)).status_code == 404


def test_list_evaluations_is_scoped(client, auth, atasan_assessed):
    assert (
        client.post(
            "/api/v1/evaluations", json={"nip": EMPLOYEE, "period_year": YEAR}, headers=auth(ATASAN, "atasan")
        ).status_code
        == 201
    )

    own = client.get("/api/v1/evaluations", headers=auth(EMPLOYEE))
    assert [e["evaluation_id"] for e in own.json] == [EVAL_ID]
    as_atasan = client.get(f"/api/v1/evaluations?nip={EMPLOYEE}&period_year={YEAR}", headers=auth(ATASAN, "atasan"))
    assert [e["evaluation_id"] for e in as_atasan.json] == [EVAL_ID]
    # someone else asking by the employee's NIP sees only where they are the atasan: nothing
    assert client.get(f"/api/v1/evaluations?nip={EMPLOYEE}", headers=auth(PEER)).json == []
    assert client.get(f"/api/v1/evaluations?atasan_nip={ATASAN}", headers=auth(PEER)).status_code == 403
    assert len(client.get("/api/v1/evaluations", headers=auth(PEER, "admin_instansi")).json) == 1
    assert client.get("/api/v1/evaluations", headers=auth(PEER, "admin_instansi", tenant=OTHER_TENANT)).json == []
    assert client.get(f"/api/v1/evaluations?period_year={YEAR + 1}", headers=auth(EMPLOYEE)).json == []
    assert client.get("/api/v1/evaluations?period=Q9", headers=auth(EMPLOYEE)).status_code == 422
    assert client.get("/api/v1/evaluations?period_year=abc", headers=auth(EMPLOYEE)).status_code == 422


# --- assessments: 4xx, and a refused request changes nothing -------------------------------


def _refused(client, runtime, body, headers, status, code=None):
    before = (_stored_events(runtime), len(_outbox(runtime)))
    response = client.post("/api/v1/assessments", json=body, headers=headers)
    assert response.status_code == status, response.json
    if code:
        assert response.json["error"]["code"] == code
    assert (_stored_events(runtime), len(_outbox(runtime))) == before
    return response.json["error"]


def test_publik_is_not_supported_yet(client, auth, runtime):
    error = _refused(client, runtime, _assessment("publik"), auth(PEER), 422, "invalid_input")
    assert error["details"][0]["field"] == "source"
    assert "publik" in error["details"][0]["reason"]


def test_full_sources_must_rate_all_seven_values(client, auth, runtime, approved):
    partial = {k: v for k, v in _all().items() if k not in ("loyal", "kolaboratif")}
    error = _refused(client, runtime, _assessment("mandiri", partial), auth(EMPLOYEE), 422)
    assert error["details"][0]["field"] == "behaviour"
    assert "loyal" in error["details"][0]["reason"]
    assert "kolaboratif" in error["details"][0]["reason"]
    assert "akuntabel" not in error["details"][0]["reason"]
    _refused(client, runtime, _assessment("atasan", partial), auth(ATASAN, "atasan"), 422)


def test_peers_must_rate_at_least_one_value(client, auth, runtime):
    body = {"nip": EMPLOYEE, "period_year": YEAR, "source": "bawahan", "behaviour": {}}
    _refused(client, runtime, body, auth(PEER), 422)


@pytest.mark.parametrize(
    "body",
    [
        _assessment("mandiri", {**_all(), "jujur": "sesuai_ekspektasi"}),  # not a BerAKHLAK value
        _assessment("mandiri", {**_all(), "loyal": "luar_biasa"}),  # not a rating
        {**_assessment("mandiri"), "nip": "12345"},
        {**_assessment("mandiri"), "period_year": "2026"},
        {"nip": EMPLOYEE, "period_year": YEAR, "source": "mandiri"},
    ],
)
def test_bad_assessment_input_is_422(client, auth, runtime, body):
    _refused(client, runtime, body, auth(EMPLOYEE), 422, "invalid_input")


def test_mandiri_only_by_the_employee(client, auth, runtime):
    _refused(client, runtime, _assessment("mandiri"), auth(PEER), 403, "forbidden")


@pytest.mark.parametrize("source", ["rekan_kerja", "bawahan"])
def test_peers_cannot_assess_themselves(client, auth, runtime, source):
    _refused(client, runtime, _assessment(source), auth(EMPLOYEE), 403, "forbidden")


STAFF = "199503032020121004"  # reports to the employee in the register
ELSEWHERE = "199207072018012005"  # another dinas, another atasan
UNREGISTERED = "199912312020121999"


@pytest.fixture
def wider_register(deliver, register):
    deliver(registered(STAFF, "Staf Siti", PUSKESMAS, EMPLOYEE))
    deliver(registered(ELSEWHERE, "Pegawai Dinas Lain", DINKES, KEPALA_DINAS))


def test_a_bawahan_assessment_comes_from_a_direct_subordinate_in_the_register(client, auth, runtime, wider_register):
    for stranger in (PEER, ATASAN, ELSEWHERE, UNREGISTERED):  # a peer, the atasan, someone unrelated, no one
        _refused(client, runtime, _assessment("bawahan"), auth(stranger, "pegawai", "atasan"), 403, "forbidden")
    given = client.post("/api/v1/assessments", json=_assessment("bawahan"), headers=auth(STAFF))
    assert given.status_code == 201, given.json
    assert (given.json["source"], given.json["assessor_nip"]) == ("bawahan", STAFF)


def test_a_rekan_kerja_assessment_comes_from_a_colleague_of_the_same_unit_or_atasan(
    client, auth, runtime, wider_register
):
    # The atasan gives the atasan assessment, a subordinate the bawahan one; someone unrelated or
    # unregistered gives none (they could otherwise tilt the rater-bias report and the weaknesses).
    for stranger in (ATASAN, STAFF, ELSEWHERE, UNREGISTERED):
        _refused(client, runtime, _assessment("rekan_kerja"), auth(stranger, "pegawai", "atasan"), 403, "forbidden")
    _refused(client, runtime, _assessment("rekan_kerja"), auth(PEER, tenant=OTHER_TENANT), 403, "forbidden")
    given = client.post("/api/v1/assessments", json=_assessment("rekan_kerja"), headers=auth(PEER))
    assert given.status_code == 201, given.json


def test_atasan_assessment_needs_the_role(client, auth, runtime, approved):
    _refused(client, runtime, _assessment("atasan"), auth(ATASAN, "pegawai"), 403, "forbidden")


def test_atasan_assessment_needs_an_approved_plan(client, auth, runtime):
    _refused(client, runtime, _assessment("atasan"), auth(ATASAN, "atasan"), 409, "no_approved_plan")


def test_atasan_assessment_only_by_the_plans_atasan(client, auth, runtime, approved):
    _refused(client, runtime, _assessment("atasan"), auth(PEER, "atasan"), 403, "forbidden")
    # another instansi's plan is not visible: the same atasan NIP there has no plan to assess
    _refused(
        client, runtime, _assessment("atasan"), auth(ATASAN, "atasan", tenant=OTHER_TENANT), 409, "no_approved_plan"
    )


def test_second_assessment_by_the_same_assessor_is_refused(client, auth, runtime):
    assert client.post("/api/v1/assessments", json=_assessment("mandiri"), headers=auth(EMPLOYEE)).status_code == 201
    _refused(client, runtime, _assessment("mandiri"), auth(EMPLOYEE), 409, "assessment_exists")


def test_assessment_needs_a_token(client, runtime):
    _refused(client, runtime, _assessment("mandiri"), {}, 401)


# --- evaluations: 4xx ---------------------------------------------------------------------


def _refused_evaluation(client, runtime, body, headers, status, code=None):
    before = (_stored_events(runtime), len(_outbox(runtime)))
    response = client.post("/api/v1/evaluations", json=body, headers=headers)
    assert response.status_code == status, response.json
    if code:
        assert response.json["error"]["code"] == code
    assert (_stored_events(runtime), len(_outbox(runtime))) == before


BODY = {"nip": EMPLOYEE, "period_year": YEAR}


def test_evaluation_needs_role_atasan(client, auth, runtime, atasan_assessed):
    _refused_evaluation(client, runtime, BODY, auth(ATASAN, "pegawai"), 403, "forbidden")
    _refused_evaluation(client, runtime, BODY, auth(EMPLOYEE, "pegawai", "admin_instansi"), 403, "forbidden")


def test_evaluation_only_by_the_plans_atasan(client, auth, runtime, atasan_assessed):
    _refused_evaluation(client, runtime, BODY, auth(PEER, "atasan"), 403, "forbidden")


def test_evaluation_needs_an_approved_plan(client, auth, runtime):
    _refused_evaluation(client, runtime, BODY, auth(ATASAN, "atasan"), 409, "no_approved_plan")


def test_evaluation_in_another_tenant_finds_no_plan(client, auth, runtime, atasan_assessed):
    _refused_evaluation(client, runtime, BODY, auth(ATASAN, "atasan", tenant=OTHER_TENANT), 409, "no_approved_plan")


def test_evaluation_needs_the_atasan_assessment(client, auth, runtime, approved):
    # a self-assessment is not enough
    assert client.post("/api/v1/assessments", json=_assessment("mandiri"), headers=auth(EMPLOYEE)).status_code == 201
    _refused_evaluation(client, runtime, BODY, auth(ATASAN, "atasan"), 409, "no_atasan_assessment")


def test_evaluation_is_computed_once(client, auth, runtime, atasan_assessed):
    assert client.post("/api/v1/evaluations", json=BODY, headers=auth(ATASAN, "atasan")).status_code == 201
    _refused_evaluation(client, runtime, BODY, auth(ATASAN, "atasan"), 409, "evaluation_exists")
    _refused_evaluation(client, runtime, {**BODY, "period": "annual"}, auth(ATASAN, "atasan"), 409, "evaluation_exists")


@pytest.mark.parametrize(
    "body",
    [{**BODY, "period": "Q5"}, {**BODY, "period": "tahunan"}, {"nip": EMPLOYEE}, {**BODY, "nip": "abc"}],
)
def test_bad_evaluation_input_is_422(client, auth, runtime, atasan_assessed, body):
    _refused_evaluation(client, runtime, body, auth(ATASAN, "atasan"), 422, "invalid_input")


def test_reading_an_evaluation(client, auth, atasan_assessed):
    assert client.post("/api/v1/evaluations", json=BODY, headers=auth(ATASAN, "atasan")).status_code == 201
    assert client.get(f"/api/v1/evaluations/{EVAL_ID}", headers=auth(PEER)).status_code == 403
    other = client.get(f"/api/v1/evaluations/{EVAL_ID}", headers=auth(EMPLOYEE, tenant=OTHER_TENANT))
    assert other.status_code == 404
    admin_elsewhere = client.get(
        f"/api/v1/evaluations/{EVAL_ID}", headers=auth(PEER, "admin_instansi", tenant=OTHER_TENANT)
    )
    assert admin_elsewhere.status_code == 404
    assert client.get("/api/v1/evaluations/eval-unknown", headers=auth(EMPLOYEE)).status_code == 404
