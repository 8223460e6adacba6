"""Period close, late data, calibration, keberatan, organisation predikat and public input through
the API on SQLite; the workers' handlers are fed the events the way the consumer would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.evaluation.service_layer import clock
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
from tests.unit.evaluation.org_samples import (
    DINKES,
    KEPALA_DINAS,
    ORGANISATION,
    PUSKESMAS,
    outbox_envelopes,
)

EVAL_ID = f"eval-{EMPLOYEE}-{YEAR}-annual"
PEER_SKP = f"skp-{PEER}-{YEAR}"


@pytest.fixture
def organised(deliver):
    for event in ORGANISATION:
        deliver(event)


@pytest.fixture
def planned(deliver, organised):
    """Two approved plans in the puskesmas: the employee's with full realisasi, the peer's with none."""
    deliver(envelope("plan.approved", plan_payload(unit_id=PUSKESMAS)))
    for version, (iki, value) in enumerate([("rhk1.iki1", 1350), ("rhk1.iki2", 25), ("rhk2.iki1", 12)], start=4):
        deliver(envelope("progress.reported", progress_payload(iki, 4, value), aggregate_version=version))
    peer_plan = plan_payload(skp_id=PEER_SKP, nip=PEER, employee_name="Rekan", unit_id=PUSKESMAS)
    for item in peer_plan["rhk"]:
        item["rhk_id"] = item["rhk_id"].replace(SKP_ID, PEER_SKP)
        for iki in item["iki"]:
            iki["iki_id"] = iki["iki_id"].replace(SKP_ID, PEER_SKP)
    deliver(envelope("plan.approved", {**peer_plan}))


def _assess(client, auth, nip=EMPLOYEE, rating="di_atas_ekspektasi"):
    body = {"nip": nip, "period_year": YEAR, "source": "atasan", "behaviour": dict.fromkeys(BERAKHLAK, rating)}
    response = client.post("/api/v1/assessments", json=body, headers=auth(ATASAN, "atasan"))
    assert response.status_code == 201, response.json


def _run_close(runtime, deliver, close_id):
    """The workers' share of a close: every evaluation.requested of that close."""
    for event in outbox_envelopes(runtime, "evaluation.requested"):
        if event.payload["close_id"] == close_id:
            deliver(event)


def _close(client, auth, runtime, deliver, **body):
    response = client.post(f"/api/v1/periods/{YEAR}/annual/close", json=body, headers=auth("1" * 18, "admin_instansi"))
    assert response.status_code == 202, response.json
    _run_close(runtime, deliver, response.json["close_id"])
    return client.get(f"/api/v1/period-closes/{response.json['close_id']}", headers=auth("1" * 18, "admin_instansi"))


@pytest.fixture
def closed(client, auth, runtime, deliver, planned):
    _assess(client, auth)
    progress = _close(client, auth, runtime, deliver)
    assert progress.status_code == 200
    return progress.json


# --- period close ---------------------------------------------------------------------------------


def test_close_evaluates_the_complete_and_lists_the_incomplete(closed, client, auth, runtime):
    assert closed["total"] == 2
    assert closed["done"] == 2
    assert closed["finished"] is True
    assert closed["counts"]["completed"] == 1
    assert closed["counts"]["incomplete"] == 1
    [incomplete] = closed["incomplete"]
    assert incomplete["nip"] == PEER
    assert {r["code"] for r in incomplete["reasons"]} == {"no_atasan_assessment", "missing_realisasi"}
    completed = outbox_envelopes(runtime, "evaluation.completed")
    assert [e.payload["nip"] for e in completed] == [EMPLOYEE]
    assert completed[0].payload["strengths"], "strengths are filled for rewards"
    evaluation = client.get(f"/api/v1/evaluations/{EVAL_ID}", headers=auth(EMPLOYEE)).json
    assert evaluation["unit_id"] == PUSKESMAS
    assert evaluation["revision"] == 0
    assert any(s.startswith("Masukan publik unit Puskesmas Sukarami") for s in evaluation["explanation"])


def test_close_again_is_safe_and_completes_what_became_complete(closed, client, auth, runtime, deliver):
    _assess(client, auth, nip=PEER, rating="sesuai_ekspektasi")
    for version, iki in enumerate(["rhk1.iki1", "rhk1.iki2", "rhk2.iki1"], start=4):
        report = progress_payload(iki, 4, 30, skp_id=PEER_SKP, nip=PEER)
        report.update(
            rhk_id=report["rhk_id"].replace(SKP_ID, PEER_SKP), iki_id=report["iki_id"].replace(SKP_ID, PEER_SKP)
        )
        deliver(envelope("progress.reported", report, aggregate_version=version))
    again = _close(client, auth, runtime, deliver).json
    assert again["counts"] == {"pending": 0, "completed": 1, "revised": 0, "unchanged": 1, "incomplete": 0}
    assert len(outbox_envelopes(runtime, "evaluation.completed")) == 2
    assert outbox_envelopes(runtime, "evaluation.revised") == []


def test_a_redelivered_work_item_changes_nothing(closed, runtime, deliver):
    [item] = [e for e in outbox_envelopes(runtime, "evaluation.requested") if e.payload["nip"] == EMPLOYEE]
    deliver(item)
    assert len(outbox_envelopes(runtime, "evaluation.completed")) == 1
    assert outbox_envelopes(runtime, "evaluation.revised") == []


def test_close_scope_unit_and_atasan(client, auth, runtime, deliver, planned):
    admin = auth("1" * 18, "admin_instansi")
    by_unit = client.post(f"/api/v1/periods/{YEAR}/annual/close", json={"unit_id": DINKES}, headers=admin)
    assert by_unit.status_code == 202
    assert by_unit.json["total"] == 2
    unknown = client.post(f"/api/v1/periods/{YEAR}/annual/close", json={"unit_id": "nope"}, headers=admin)
    assert unknown.status_code == 404
    by_atasan = client.post(f"/api/v1/periods/{YEAR}/Q4/close", json={}, headers=auth(KEPALA_DINAS, "atasan"))
    assert by_atasan.status_code == 202
    assert by_atasan.json["total"] == 0
    assert client.post(f"/api/v1/periods/{YEAR}/annual/close", json={}, headers=auth(EMPLOYEE)).status_code == 403
    assert client.post(f"/api/v1/periods/{YEAR}/Q9/close", json={}, headers=admin).status_code == 409
    other = client.get(
        f"/api/v1/period-closes/{by_unit.json['close_id']}",
        headers=auth("1" * 18, "admin_instansi", tenant=OTHER_TENANT),
    )
    assert other.status_code == 404


# --- late data ------------------------------------------------------------------------------------


def test_a_corrected_realisasi_publishes_a_revision(closed, client, auth, runtime, deliver):
    deliver(envelope("progress.reported", progress_payload("rhk1.iki1", 4, 600), aggregate_version=20))
    [revised] = outbox_envelopes(runtime, "evaluation.revised")
    assert revised.payload["revision"] == 1
    assert revised.payload["previous_predikat"] == "sangat_baik"
    assert revised.payload["predikat"] != "sangat_baik"
    assert "dikoreksi" in revised.payload["revision_reason"]
    assert client.get(f"/api/v1/evaluations/{EVAL_ID}", headers=auth(EMPLOYEE)).json["revision"] == 1
    # the same correction delivered again (a redelivery with a new event id) is no new revision
    deliver(envelope("progress.reported", progress_payload("rhk1.iki1", 4, 600), aggregate_version=20))
    assert len(outbox_envelopes(runtime, "evaluation.revised")) == 1


def test_an_amended_plan_revises_the_result(closed, runtime, deliver):
    plan = plan_payload(unit_id=PUSKESMAS, amendment_no=1, reason="Target disesuaikan anggaran.")
    plan["rhk"][0]["iki"][0]["target"] = 2000
    deliver(envelope("plan.amended", plan, aggregate_version=30))
    [revised] = outbox_envelopes(runtime, "evaluation.revised")
    assert "perubahan ke-1" in revised.payload["revision_reason"]
    assert revised.payload["breakdown"][0]["target"] == 2000


# --- calibration ----------------------------------------------------------------------------------


def test_calibration_by_the_appraiser_with_a_reason(closed, client, auth, runtime):
    url = f"/api/v1/evaluations/{EVAL_ID}/calibration"
    body = {"predikat": "baik", "reason": "Kurva unit Baik: Sangat Baik terbatas 10%."}
    assert client.post(url, json=body, headers=auth(EMPLOYEE)).status_code == 403
    assert client.post(url, json={"predikat": "baik"}, headers=auth(ATASAN, "atasan")).status_code == 422
    assert client.post(url, json={**body, "reason": "short"}, headers=auth(ATASAN, "atasan")).status_code == 422
    response = client.post(url, json=body, headers=auth(ATASAN, "atasan"))
    assert response.status_code == 200, response.json
    assert response.json["predikat"] == "baik"
    assert response.json["matrix_predikat"] == "sangat_baik"
    assert response.json["override"]["kind"] == "kalibrasi"
    [calibrated] = outbox_envelopes(runtime, "evaluation.calibrated")
    assert calibrated.payload["reason"] == body["reason"]
    [revised] = outbox_envelopes(runtime, "evaluation.revised")
    assert (revised.payload["previous_predikat"], revised.payload["predikat"]) == ("sangat_baik", "baik")
    missing = client.post("/api/v1/evaluations/eval-x/calibration", json=body, headers=auth(ATASAN, "atasan"))
    assert missing.status_code == 404


def test_results_are_changed_by_people_in_their_role_not_by_any_token_bearing_their_nip(closed, client, auth):
    """The appraiser calibrates as atasan, the employee files as pegawai, the atasan pejabat penilai decides
    as atasan: an admin's or an agency's token (a system) with the same NIP does none of it."""
    url = f"/api/v1/evaluations/{EVAL_ID}"
    calibration = {"predikat": "baik", "reason": "Kurva unit Baik: Sangat Baik terbatas 10%."}
    appeal = {"reason": "Capaian IKI penyuluhan belum dihitung benar."}
    for roles in (("admin_instansi",), ("agency",)):
        assert client.post(f"{url}/calibration", json=calibration, headers=auth(ATASAN, *roles)).status_code == 403
        assert client.post(f"{url}/appeal", json=appeal, headers=auth(EMPLOYEE, *roles)).status_code == 403
    assert client.post(f"{url}/calibration", json=calibration, headers=auth(ATASAN)).status_code == 403
    assert client.post(f"{url}/appeal", json=appeal, headers=auth(EMPLOYEE)).status_code == 201
    decision = {"decision": "rejected", "reason": "Capaian sudah dihitung sesuai realisasi."}
    for roles in (("pegawai",), ("admin_instansi",), ("agency",)):
        refused = client.post(f"{url}/appeal/decision", json=decision, headers=auth(KEPALA_DINAS, *roles))
        assert refused.status_code == 403
    assert client.post(f"{url}/appeal/decision", json=decision, headers=auth(KEPALA_DINAS, "atasan")).status_code == 200


# --- keberatan --------------------------------------------------------------------------------------


def test_appeal_filed_by_the_employee_and_decided_by_the_atasan_pejabat_penilai(closed, client, auth, runtime):
    url = f"/api/v1/evaluations/{EVAL_ID}/appeal"
    body = {"reason": "Capaian IKI penyuluhan belum dihitung benar.", "requested_predikat": "sangat_baik"}
    assert client.post(url, json=body, headers=auth(ATASAN, "atasan")).status_code == 403
    filed = client.post(url, json=body, headers=auth(EMPLOYEE))
    assert filed.status_code == 201, filed.json
    assert filed.json["appeal"]["decider_nip"] == KEPALA_DINAS
    assert client.post(url, json=body, headers=auth(EMPLOYEE)).status_code == 409
    [event] = outbox_envelopes(runtime, "appeal.filed")
    assert event.payload["decider_nip"] == KEPALA_DINAS

    to_decide = client.get("/api/v1/appeals?status=filed", headers=auth(KEPALA_DINAS, "atasan"))
    assert [e["evaluation_id"] for e in to_decide.json] == [EVAL_ID]
    assert client.get(f"/api/v1/evaluations/{EVAL_ID}", headers=auth(KEPALA_DINAS, "atasan")).status_code == 200

    decision = {
        "decision": "accepted",
        "predikat": "baik",
        "reason": "Setelah ditinjau, hasil kerja sesuai ekspektasi.",
    }
    decide_url = f"{url}/decision"
    assert client.post(decide_url, json=decision, headers=auth(ATASAN, "atasan")).status_code == 403
    decided = client.post(decide_url, json=decision, headers=auth(KEPALA_DINAS, "atasan"))
    assert decided.status_code == 200, decided.json
    assert decided.json["predikat"] == "baik"
    assert decided.json["appeal"]["status"] == "accepted"
    assert decided.json["override"]["kind"] == "keberatan"
    assert outbox_envelopes(runtime, "appeal.decided")[0].payload["predikat"] == "baik"
    assert outbox_envelopes(runtime, "evaluation.revised")[0].payload["previous_predikat"] == "sangat_baik"
    assert client.post(decide_url, json=decision, headers=auth(KEPALA_DINAS, "atasan")).status_code == 409


def test_appeal_after_fourteen_days_is_refused_clearly(closed, client, auth, monkeypatch):
    later = datetime.now(UTC) + timedelta(days=14, minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    refused = client.post(
        f"/api/v1/evaluations/{EVAL_ID}/appeal", json={"reason": "Terlambat mengajukan."}, headers=auth(EMPLOYEE)
    )
    assert refused.status_code == 409
    assert "14" in str(refused.json)


# --- organisation predikat and the curve -------------------------------------------------------------


def test_organisation_predikat_set_by_the_leader_above_and_the_curve_checked(closed, client, auth, runtime):
    url = f"/api/v1/units/{PUSKESMAS}/organisation-predikat"
    body = {"period_year": YEAR, "period": "annual", "predikat": "baik"}
    assert client.post(url, json=body, headers=auth(ATASAN, "atasan")).status_code == 403  # the unit's own head
    assert (
        client.post(
            f"/api/v1/units/{DINKES}/organisation-predikat", json=body, headers=auth(KEPALA_DINAS, "atasan")
        ).status_code
        == 403
    )  # no unit above the dinas
    first = client.post(url, json=body, headers=auth(KEPALA_DINAS, "atasan"))
    assert first.status_code == 201, first.json
    second = client.post(url, json={**body, "predikat": "sangat_kurang"}, headers=auth("1" * 18, "admin_instansi"))
    assert second.json["previous_predikat"] == "baik"
    assert second.json["version"] == 2
    events = outbox_envelopes(runtime, "organisation_predikat.set")
    assert [e.payload["predikat"] for e in events] == ["baik", "sangat_kurang"]

    dist = client.get(f"/api/v1/units/{PUSKESMAS}/distribution?period_year={YEAR}", headers=auth(ATASAN, "atasan"))
    assert dist.status_code == 200, dist.json
    assert dist.json["employees"] == 1
    assert dist.json["counts"]["sangat_baik"] == 1
    assert dist.json["valid"] is False  # a Sangat Kurang organisation has no Sangat Baik employee
    assert (
        client.get(f"/api/v1/units/{PUSKESMAS}/distribution?period_year={YEAR}", headers=auth(EMPLOYEE)).status_code
        == 403
    )
    missing = client.get(
        f"/api/v1/units/{DINKES}/distribution?period_year={YEAR}&period=Q1", headers=auth("1" * 18, "admin_instansi")
    )
    assert missing.status_code == 409


# --- public input ---------------------------------------------------------------------------------------


def test_ikm_and_complaints_for_a_unit_that_serves_the_public(organised, client, auth, runtime):
    admin = auth("1" * 18, "admin_instansi")
    responses = [dict.fromkeys([f"u{i}" for i in range(1, 10)], 4)]
    bad = client.post(
        f"/api/v1/units/{PUSKESMAS}/ikm", json={"period_year": YEAR, "responses": responses}, headers=admin
    )
    assert bad.status_code == 422  # the nine unsur have their names
    from services.evaluation.domain.public_input import IKM_ELEMENTS

    good = [dict.fromkeys(IKM_ELEMENTS, 4), dict.fromkeys(IKM_ELEMENTS, 3)]
    out_of_range = [{**good[0], "u3_waktu": 5}]
    body = {"period_year": YEAR, "period": "Q1"}
    assert (
        client.post(
            f"/api/v1/units/{PUSKESMAS}/ikm", json={**body, "responses": out_of_range}, headers=admin
        ).status_code
        == 422
    )
    assert (
        client.post(f"/api/v1/units/{DINKES}/ikm", json={**body, "responses": good}, headers=admin).status_code == 409
    )
    assert (
        client.post(
            f"/api/v1/units/{PUSKESMAS}/ikm", json={**body, "responses": good}, headers=auth(EMPLOYEE)
        ).status_code
        == 403
    )
    recorded = client.post(f"/api/v1/units/{PUSKESMAS}/ikm", json={**body, "responses": good}, headers=admin)
    assert recorded.status_code == 201, recorded.json
    assert recorded.json["ikm"] == 87.5
    assert recorded.json["grade"] == "B"
    assert recorded.json["respondents"] == 2
    [ikm_event] = outbox_envelopes(runtime, "ikm.recorded")
    assert ikm_event.payload["grade"] == "B"

    complaint = {
        "complaint_id": "LAPOR-1",
        "received_at": "2026-03-02T08:00:00+07:00",
        "first_response_at": "2026-03-06T08:00:00+07:00",
    }
    response = client.post(f"/api/v1/units/{PUSKESMAS}/complaints", json=complaint, headers=admin)
    assert response.status_code == 200, response.json
    assert response.json["responded_in_time"] is False  # four days
    backwards = {**complaint, "resolved_at": "2026-03-01T08:00:00+07:00"}
    assert client.post(f"/api/v1/units/{PUSKESMAS}/complaints", json=backwards, headers=admin).status_code == 422
    updated = client.post(
        f"/api/v1/units/{PUSKESMAS}/complaints",
        json={**complaint, "resolved_at": "2026-03-09T08:00:00+07:00"},
        headers=admin,
    )
    assert updated.json["version"] == 2
    summary = client.get(
        f"/api/v1/units/{PUSKESMAS}/public-input?period_year={YEAR}&period=Q1", headers=auth(ATASAN, "atasan")
    ).json
    assert summary["complaints"]["received"] == 1
    assert summary["complaints"]["resolved"] == 1
    assert summary["ikm"] == 87.5
    other_quarter = client.get(
        f"/api/v1/units/{PUSKESMAS}/public-input?period_year={YEAR}&period=Q2", headers=auth(ATASAN, "atasan")
    ).json
    assert other_quarter["complaints"]["received"] == 0  # received in March: Q1
    assert other_quarter["ikm"] is None


# --- rater bias and access ----------------------------------------------------------------------------


def test_rater_bias_is_for_the_admin(closed, client, auth):
    assert client.get(f"/api/v1/rater-bias?period_year={YEAR}", headers=auth(ATASAN, "atasan")).status_code == 403
    report = client.get(f"/api/v1/rater-bias?period_year={YEAR}", headers=auth("1" * 18, "admin_instansi"))
    assert report.status_code == 200
    [row] = report.json["appraisers"]
    assert row["appraiser_nip"] == ATASAN
    assert row["employees"] == 1
    assert row["flags"] == []
    assert row["against"]["evidence"] is not None


def test_results_are_visible_only_to_the_employee_their_atasan_and_their_admin(closed, client, auth):
    url = f"/api/v1/evaluations/{EVAL_ID}"
    assert client.get(url, headers=auth(EMPLOYEE)).status_code == 200
    assert client.get(url, headers=auth(ATASAN, "atasan")).status_code == 200
    assert client.get(url, headers=auth("1" * 18, "admin_instansi")).status_code == 200
    assert client.get(url, headers=auth(PEER)).status_code == 403
    assert client.get(url, headers=auth("1" * 18, "admin_instansi", tenant=OTHER_TENANT)).status_code == 404
    listed = client.get("/api/v1/evaluations", headers=auth(PEER)).json
    assert listed == []
