"""The planning SKP API against a registered organisation (SQLite file; PostgreSQL in integration)."""

from __future__ import annotations

import pytest

from tests.unit.planning.fixtures import ADMIN, ANDI, BUDI, RINA, SITI, PlanningApi, draft, iki, planning_api, rhk

BUDI_RHK = [rhk("Meningkatnya layanan kesehatan dasar", perspective="penerima_layanan")]


@pytest.fixture
def api(tmp_path):
    yield from planning_api(tmp_path)


@pytest.fixture
def budi_rhk(api: PlanningApi) -> str:
    created = draft(api, BUDI, BUDI_RHK)
    assert created.status_code == 201, created.json
    return created.json["rhk"][0]["rhk_id"]


def approved_skp(api: PlanningApi, budi_rhk: str, nip: str = SITI, *rhk_list: dict) -> dict:
    skp = draft(api, nip, list(rhk_list) or [rhk("Pelayanan pasien", budi_rhk)]).json
    assert api.call("POST", f"/api/v1/skp/{skp['skp_id']}/submit", nip).json["status"] == "submitted"
    approved = api.call("POST", f"/api/v1/skp/{skp['skp_id']}/approve", BUDI, "atasan")
    assert approved.status_code == 200, approved.json
    return approved.json


def test_the_plan_takes_name_unit_atasan_and_template_from_the_register(api, budi_rhk) -> None:
    budi = api.call("GET", f"/api/v1/skp/skp-{BUDI}-2026", BUDI).json
    assert (budi["template"], budi["unit"], budi["unit_id"], budi["atasan_nip"]) == (
        "jpt",
        "Puskesmas Sukarami",
        "PKM",
        "",
    )
    siti = draft(api, SITI, [rhk("Pelayanan pasien", budi_rhk)]).json
    assert (siti["employee_name"], siti["atasan_nip"], siti["template"]) == ("Siti Aminah", BUDI, "ja_jf")


def test_unregistered_employees_and_a_broken_atasan_are_sent_to_the_admin(api) -> None:
    stranger = draft(api, "199002022015032004", [rhk("x")])
    assert (stranger.status_code, stranger.json["error"]["code"]) == (409, "employee_not_registered")
    rina = draft(api, RINA, [rhk("x")])
    assert (rina.status_code, rina.json["error"]["code"]) == (409, "atasan_invalid")
    assert "admin" in rina.json["error"]["message"]
    listed = api.call("GET", "/api/v1/organisation/employees/without-valid-atasan", ADMIN, "admin_instansi").json
    assert RINA in [e["nip"] for e in listed]


def test_cascading_from_the_atasans_plan(api) -> None:
    early = draft(api, SITI, [rhk("Pelayanan", "skp-197001012000031001-2026.rhk1")])
    assert early.json["error"]["code"] == "atasan_skp_missing"
    assert early.json["error"]["details"][0]["field"] == "rhk.0.intervenes_rhk_id"
    budi_rhk = draft(api, BUDI, BUDI_RHK).json["rhk"][0]["rhk_id"]
    wrong = draft(api, SITI, [rhk("Pelayanan", f"{budi_rhk}-x")])
    assert wrong.json["error"]["code"] == "unknown_atasan_rhk"
    loose = draft(api, SITI, [rhk("Pelayanan")]).json
    refused = api.call("POST", f"/api/v1/skp/{loose['skp_id']}/submit", SITI)
    assert (refused.status_code, refused.json["error"]["code"]) == (409, "rhk_not_cascaded")
    assert api.published() == []


def test_the_cascade_tree_shows_who_supports_which_rhk_and_what_is_uncovered(api) -> None:
    budi = draft(api, BUDI, [*BUDI_RHK, rhk("Tertib administrasi", perspective="proses_bisnis")]).json
    first, second = (r["rhk_id"] for r in budi["rhk"])
    draft(api, SITI, [rhk("Pelayanan pasien umum", first)])
    draft(api, ANDI, [rhk("Pelayanan pasien lansia", first)])
    tree = api.call("GET", f"/api/v1/skp/{budi['skp_id']}/cascade", BUDI).json
    assert [c["nip"] for c in tree["rhk"][0]["children"]] == [SITI, ANDI]  # by NIP
    assert tree["rhk"][1]["children"] == []
    assert [u["rhk_id"] for u in tree["uncovered"]] == [second]
    assert tree["rhk_count"] == 4


def test_the_team_view_shows_every_subordinates_plan_status(api, budi_rhk) -> None:
    approved_skp(api, budi_rhk)
    team = api.call("GET", "/api/v1/skp/team?period_year=2026", BUDI, "atasan").json
    assert {m["nip"]: m["plan_status"] for m in team} == {SITI: "approved", ANDI: "not_started"}
    assert api.call("GET", "/api/v1/skp/team?period_year=2026", SITI).status_code == 403
    other = api.call("GET", f"/api/v1/skp/team?period_year=2026&atasan_nip={BUDI}", ANDI, "atasan")
    assert other.status_code == 403
    admin = api.call("GET", f"/api/v1/skp/team?period_year=2026&atasan_nip={BUDI}", ADMIN, "admin_instansi")
    assert len(admin.json) == 2


def test_full_workflow_publishes_complete_plans(api, budi_rhk) -> None:
    skp = draft(api, SITI, [rhk("Pelayanan pasien", budi_rhk)], annex={"konsekuensi": ["Teguran lisan"]}).json
    expectations = {"berorientasi_pelayanan": "Mendahulukan pasien lansia"}
    set_by_siti = api.call(
        "PUT", f"/api/v1/skp/{skp['skp_id']}/expectations", SITI, "atasan", json={"expectations": expectations}
    )
    assert set_by_siti.status_code == 403
    api.call("PUT", f"/api/v1/skp/{skp['skp_id']}/expectations", BUDI, "atasan", json={"expectations": expectations})
    api.call("POST", f"/api/v1/skp/{skp['skp_id']}/submit", SITI)
    api.call("POST", f"/api/v1/skp/{skp['skp_id']}/return", BUDI, "atasan", json={"reason": "Target belum terukur"})
    revised = api.call(
        "POST",
        f"/api/v1/skp/{skp['skp_id']}/revise",
        SITI,
        json={
            "rhk": [{**skp["rhk"][0], "iki": [{**iki(), "iki_id": skp["rhk"][0]["iki"][0]["iki_id"], "target": 1300}]}]
        },
    )
    assert revised.status_code == 200, revised.json
    api.call("POST", f"/api/v1/skp/{skp['skp_id']}/submit", SITI)
    approved = api.call("POST", f"/api/v1/skp/{skp['skp_id']}/approve", BUDI, "atasan").json
    assert approved["rhk"][0]["iki"][0]["target"] == 1300
    events = api.published()
    assert [e.event_type for e in events] == ["plan.submitted", "plan.returned", "plan.submitted", "plan.approved"]
    plan = events[-1].payload
    assert plan["expectations"] == expectations
    assert plan["annex"]["konsekuensi"] == ["Teguran lisan"]
    assert plan["rhk"][0]["intervenes_rhk_id"] == budi_rhk
    history = api.call("GET", f"/api/v1/skp/{skp['skp_id']}/history", SITI).json
    assert [h["event_type"] for h in history] == [
        "skp.drafted",
        "skp.expectations_set",
        "skp.submitted",
        "skp.returned",
        "skp.revised",
        "skp.submitted",
        "skp.approved",
    ]
    assert history[3]["actor"] == BUDI
    assert history[3]["data"]["reason"] == "Target belum terukur"


def test_an_amendment_needs_a_reason_and_the_atasans_agreement(api, budi_rhk) -> None:
    skp = approved_skp(api, budi_rhk)
    iki_id = skp["rhk"][0]["iki"][0]["iki_id"]
    api.call(
        "POST", f"/api/v1/skp/{skp['skp_id']}/realisasi", SITI, json={"quarter": 1, "iki_id": iki_id, "value": 300}
    )
    kept = {**skp["rhk"][0], "iki": [{**iki(), "iki_id": iki_id, "target": 1500}, iki("Kunjungan rumah")]}
    no_reason = api.call("POST", f"/api/v1/skp/{skp['skp_id']}/amendments", SITI, json={"rhk": [kept]})
    assert no_reason.status_code == 422
    proposed = api.call(
        "POST", f"/api/v1/skp/{skp['skp_id']}/amendments", SITI, json={"rhk": [kept], "reason": "Anggaran perubahan"}
    )
    assert proposed.json["pending_amendment"]["reason"] == "Anggaran perubahan"
    assert api.call("POST", f"/api/v1/skp/{skp['skp_id']}/amendments/approve", SITI, "atasan").status_code == 403
    amended = api.call("POST", f"/api/v1/skp/{skp['skp_id']}/amendments/approve", BUDI, "atasan").json
    assert (amended["amendment_no"], amended["pending_amendment"]) == (1, None)
    assert [r["value"] for r in amended["realisasi"]] == [300]  # the kept IKI kept its realisasi
    event = api.published("plan.amended")[0].payload
    assert (event["amendment_no"], event["reason"], len(event["rhk"][0]["iki"])) == (1, "Anggaran perubahan", 2)


def test_closed_quarters_refuse_realisasi_until_reopened(api, budi_rhk) -> None:
    skp = approved_skp(api, budi_rhk)
    iki_id = skp["rhk"][0]["iki"][0]["iki_id"]
    assert api.call("POST", "/api/v1/periods/2026/quarters/1/close", SITI, json={}).status_code == 403
    closed = api.call(
        "POST", "/api/v1/periods/2026/quarters/1/close", ADMIN, "admin_instansi", json={"reason": "Batas waktu"}
    )
    assert [q["closed"] for q in closed.json] == [True, False, False, False]
    late = api.call(
        "POST", f"/api/v1/skp/{skp['skp_id']}/realisasi", SITI, json={"quarter": 1, "iki_id": iki_id, "value": 5}
    )
    assert (late.status_code, late.json["error"]["code"]) == (409, "quarter_closed")
    assert "ditutup" in late.json["error"]["message"]
    assert (
        api.call("POST", "/api/v1/periods/2026/quarters/1/reopen", ADMIN, "admin_instansi", json={}).status_code == 422
    )
    api.call("POST", "/api/v1/periods/2026/quarters/1/reopen", ADMIN, "admin_instansi", json={"reason": "Perpanjangan"})
    on_time = api.call(
        "POST", f"/api/v1/skp/{skp['skp_id']}/realisasi", SITI, json={"quarter": 1, "iki_id": iki_id, "value": 5}
    )
    assert on_time.status_code == 200
    assert api.call("GET", "/api/v1/periods/2026/quarters/5", ADMIN, "admin_instansi").status_code == 404


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_evidence_files_are_checked_stored_and_only_readable_by_who_may_read_the_plan(api, budi_rhk) -> None:
    skp = approved_skp(api, budi_rhk)
    url = f"/api/v1/skp/{skp['skp_id']}/evidence"

    def upload(nip: str, name: str, content: bytes):
        import io

        return api.client.post(
            url, data={"file": (io.BytesIO(content), name)}, headers=api.auth(nip), content_type="multipart/form-data"
        )

    exe = upload(SITI, "laporan.pdf", b"MZ\x90\x00 not a pdf")
    assert (exe.status_code, exe.json["error"]["code"]) == (415, "evidence_type_not_accepted")
    assert upload(ANDI, "x.pdf", PDF).status_code == 403
    stored = upload(SITI, "../../etc/passwd/absensi Q1.pdf", PDF)
    assert stored.status_code == 201, stored.json
    assert stored.json["filename"] == "absensi Q1.pdf"
    assert stored.json["content_type"] == "application/pdf"
    iki_id = skp["rhk"][0]["iki"][0]["iki_id"]
    body = {"quarter": 2, "iki_id": iki_id, "value": 600, "evidence_file_ids": [stored.json["file_id"]]}
    reported = api.call("POST", f"/api/v1/skp/{skp['skp_id']}/realisasi", SITI, json=body)
    assert reported.json["realisasi"][0]["evidence_files"][0]["filename"] == "absensi Q1.pdf"
    assert api.published("progress.reported")[0].payload["evidence_files"][0]["file_id"] == stored.json["file_id"]
    unknown = api.call(
        "POST", f"/api/v1/skp/{skp['skp_id']}/realisasi", SITI, json={**body, "evidence_file_ids": ["nope"]}
    )
    assert unknown.json["error"]["code"] == "unknown_evidence"
    download = api.client.get(f"{url}/{stored.json['file_id']}", headers=api.auth(BUDI, "atasan"))
    assert (download.status_code, download.data) == (200, PDF)
    assert api.client.get(f"{url}/{stored.json['file_id']}", headers=api.auth(ANDI)).status_code == 403
    too_big = upload(SITI, "besar.pdf", PDF + b"0" * (11 * 1024 * 1024))
    assert (too_big.status_code, too_big.json["error"]["code"]) == (413, "payload_too_large")


def test_feedback_on_realisasi_is_the_atasans_and_published(api, budi_rhk) -> None:
    skp = approved_skp(api, budi_rhk)
    iki_id = skp["rhk"][0]["iki"][0]["iki_id"]
    api.call(
        "POST", f"/api/v1/skp/{skp['skp_id']}/realisasi", SITI, json={"quarter": 2, "iki_id": iki_id, "value": 600}
    )
    body = {"quarter": 2, "iki_id": iki_id, "feedback": "Lampirkan daftar hadir pasien."}
    assert (
        api.call("POST", f"/api/v1/skp/{skp['skp_id']}/realisasi/feedback", ANDI, "atasan", json=body).status_code
        == 403
    )
    given = api.call("POST", f"/api/v1/skp/{skp['skp_id']}/realisasi/feedback", BUDI, "atasan", json=body)
    assert given.json["realisasi"][0]["feedback"][0]["feedback"] == "Lampirkan daftar hadir pasien."
    event = api.published("realisasi.feedback_given")[0].payload
    assert (event["given_by_name"], event["indicator"], event["employee_name"]) == (
        "Budi Santoso",
        "Pasien yang dilayani",
        "Siti Aminah",
    )


def test_a_new_atasan_in_the_register_takes_over_the_plans_of_running_periods(api, budi_rhk) -> None:
    skp = draft(api, SITI, [rhk("Pelayanan pasien", budi_rhk)]).json
    api.call("POST", f"/api/v1/skp/{skp['skp_id']}/submit", SITI)
    # Andi becomes Siti's atasan (a pengawas now, so the ladder holds)
    move = {"unit_id": "PKM", "position_name": "Kepala Subbagian TU", "position_kind": "pengawas"}
    moved = api.call("POST", f"/api/v1/organisation/employees/{ANDI}/move", ADMIN, "admin_instansi", json=move)
    assert moved.status_code == 200, moved.json
    change = {"atasan_nip": ANDI}
    changed = api.call("POST", f"/api/v1/organisation/employees/{SITI}/atasan", ADMIN, "admin_instansi", json=change)
    assert changed.status_code == 200, changed.json
    # the plan followed at once: Andi reads and lists it, Budi no longer decides it
    assert api.call("GET", f"/api/v1/skp/{skp['skp_id']}", ANDI, "atasan").json["atasan_nip"] == ANDI
    assert [s["nip"] for s in api.call("GET", f"/api/v1/skp?atasan_nip={ANDI}", ANDI, "atasan").json] == [SITI]
    assert api.call("POST", f"/api/v1/skp/{skp['skp_id']}/approve", BUDI, "atasan").status_code == 403
    approved = api.call("POST", f"/api/v1/skp/{skp['skp_id']}/approve", ANDI, "atasan")
    assert approved.json["atasan_nip"] == ANDI
    assert api.published("plan.approved")[0].payload["atasan_name"] == "Andi Pratama"
    history = api.call("GET", f"/api/v1/skp/{skp['skp_id']}/history", SITI).json
    reassigned = next(h for h in history if h["event_type"] == "skp.atasan_reassigned")
    assert reassigned["actor"] == ADMIN


def test_a_closed_year_keeps_the_atasan_who_appraised_it(api, budi_rhk) -> None:
    skp = approved_skp(api, budi_rhk)
    for quarter in (1, 2, 3, 4):
        api.call("POST", f"/api/v1/periods/2026/quarters/{quarter}/close", ADMIN, "admin_instansi", json={})
    move = {"unit_id": "PKM", "position_name": "Kepala Subbagian TU", "position_kind": "pengawas"}
    api.call("POST", f"/api/v1/organisation/employees/{ANDI}/move", ADMIN, "admin_instansi", json=move)
    api.call(
        "POST", f"/api/v1/organisation/employees/{SITI}/atasan", ADMIN, "admin_instansi", json={"atasan_nip": ANDI}
    )
    assert api.call("GET", f"/api/v1/skp/{skp['skp_id']}", BUDI, "atasan").json["atasan_nip"] == BUDI


def test_unit_targets_are_the_admins_and_carried_by_the_unit_head(api) -> None:
    target = {
        "unit_id": "PKM",
        "period_year": 2026,
        "code": "waktu-tunggu",
        "indicator": "Waktu tunggu rata-rata",
        "target": 30,
        "unit": "menit",
        "direction": "lower_is_better",
    }
    assert api.call("PUT", "/api/v1/unit-targets", BUDI, "atasan", json=target).status_code == 403
    unknown = api.call("PUT", "/api/v1/unit-targets", ADMIN, "admin_instansi", json={**target, "unit_id": "NOPE"})
    assert unknown.json["error"]["code"] == "unknown_unit"
    saved = api.call("PUT", "/api/v1/unit-targets", ADMIN, "admin_instansi", json=target).json
    assert saved["target_id"] == "PKM/2026/waktu-tunggu"
    carried = rhk("Layanan cepat", perspective="penerima_layanan")
    carried["iki"] = [iki("apa saja", unit_target_id=saved["target_id"])]
    skp = draft(api, BUDI, [carried], results_follow_unit=True)
    assert skp.status_code == 201, skp.json
    assert skp.json["rhk"][0]["iki"][0]["target"] == 30
    assert skp.json["rhk"][0]["iki"][0]["direction"] == "lower_is_better"
    listed = api.call("GET", "/api/v1/unit-targets?unit_id=PKM&period_year=2026", SITI).json
    assert [t["code"] for t in listed] == ["waktu-tunggu"]


def test_another_instansi_sees_nothing(api, budi_rhk) -> None:
    skp = approved_skp(api, budi_rhk)
    for path in ("", "/history", "/cascade"):
        assert api.call("GET", f"/api/v1/skp/{skp['skp_id']}{path}", BUDI, "atasan", tenant="3674").status_code == 404
    assert (
        api.call(
            "POST",
            f"/api/v1/skp/{skp['skp_id']}/realisasi/feedback",
            BUDI,
            "atasan",
            tenant="3674",
            json={"quarter": 1, "iki_id": "x", "feedback": "y"},
        ).status_code
        == 404
    )
    assert api.call("GET", "/api/v1/unit-targets", ADMIN, "admin_instansi", tenant="3674").json == []
