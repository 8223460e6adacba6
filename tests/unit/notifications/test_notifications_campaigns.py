"""Sosialisasi campaigns: targeted by unit and role within the admin's instansi, published as
notices (in both languages), and the reach (targeted, delivered, read, per unit) readable by the admin."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from services.notifications.adapters.tables import eventing
from services.notifications.bootstrap import create_dispatcher
from services.notifications.settings import NotificationSettings, SmtpSettings
from tests.unit.notifications.local_servers import smtp_server
from tests.unit.notifications.notifications_samples import employee, envelope

HEAD_DINKES = "197001012000031001"
NURSE = "198503302010011002"
CLERK = "199001012015032003"
HEAD_DISDIK = "196805051990031004"
TEACHER = "199203032019032005"
ELSEWHERE = "198807072012121006"  # same NIP pattern, another instansi


@pytest.fixture
def city(consume):
    people = [
        (HEAD_DINKES, "Budi Santoso", "DINKES", "Dinas Kesehatan", "administrator", True, None),
        (NURSE, "Siti Aminah", "DINKES", "Dinas Kesehatan", "fungsional", False, HEAD_DINKES),
        (CLERK, "Rina Wati", "DINKES", "Dinas Kesehatan", "pelaksana", False, HEAD_DINKES),
        (HEAD_DISDIK, "Agus Salim", "DISDIK", "Dinas Pendidikan", "administrator", True, None),
        (TEACHER, "Dewi Lestari", "DISDIK", "Dinas Pendidikan", "fungsional", False, HEAD_DISDIK),
    ]
    for nip, name, unit_id, unit_name, kind, head, atasan in people:
        record = employee(nip, name, unit_id=unit_id, unit_name=unit_name, position_kind=kind, is_unit_head=head,
                          atasan_nip=atasan, email=f"{nip}@palembang.go.id")  # fmt: skip
        consume(envelope("employee.registered", **record))
    consume(envelope("employee.registered", tenant="3674", **employee(ELSEWHERE, "Orang Lain", unit_id="DINKES")))
    retired = employee("197501012000031009", "Pensiunan", unit_id="DINKES", active=False)
    consume(envelope("employee.registered", **retired))


@pytest.fixture
def admin(auth):
    return lambda tenant="1671": auth(nip="198001012005011001", roles=("admin_instansi",), tenant=tenant)


WORKSHOP = {
    "kind": "workshop",
    "title_id": "Lokakarya penyusunan SKP 2027",
    "title_en": "Workshop on drafting the 2027 SKP",
    "body_id": "Pejabat penilai diundang mengikuti lokakarya penyusunan SKP berjenjang.",
    "body_en": "Appraising officials are invited to a workshop on cascaded SKP.",
    "event_at": "2026-12-03T08:00:00+07:00",
    "place": "Aula Dinas Kesehatan, Jl. Merdeka 1",
    "target": {"unit_ids": ["DINKES", "DISDIK"], "roles": ["atasan"]},
}


def publish(client, headers, body):
    created = client.post("/api/v1/campaigns", json=body, headers=headers)
    assert created.status_code == 201, created.json
    campaign_id = created.json["campaign_id"]
    published = client.post(f"/api/v1/campaigns/{campaign_id}/publish", headers=headers)
    return campaign_id, published


def test_an_invitation_reaches_the_targeted_role_with_date_and_place(runtime, client, admin, auth, city) -> None:
    campaign_id, published = publish(client, admin(), WORKSHOP)
    assert published.status_code == 200
    assert published.json["status"] == "published"
    assert published.json["targeted"] == 2  # the two unit heads (atasan)
    (notice,) = client.get("/api/v1/notices", headers=auth(nip=HEAD_DINKES)).json
    assert notice["title"] == "Undangan lokakarya: Lokakarya penyusunan SKP 2027"
    assert "3 Desember 2026 pukul 08.00 WIB" in notice["body"]
    assert "Aula Dinas Kesehatan" in notice["body"]
    en = client.get("/api/v1/notices?lang=en", headers=auth(nip=HEAD_DINKES)).json[0]
    assert en["title"] == "Workshop invitation: Workshop on drafting the 2027 SKP"
    assert "3 December 2026, 08:00 WIB" in en["body"]
    assert client.get("/api/v1/notices", headers=auth(nip=NURSE)).json == []
    with runtime.engine.connect() as conn:
        events = [json.loads(r.value) for r in conn.execute(select(eventing.outbox))]
    (event,) = [e for e in events if e["event_type"] == "campaign.published"]
    assert event["payload"]["targeted"] == 2
    assert event["tenant"] == "1671"
    # Publishing twice is refused.
    assert client.post(f"/api/v1/campaigns/{campaign_id}/publish", headers=admin()).status_code == 409


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ({}, {HEAD_DINKES, NURSE, CLERK, HEAD_DISDIK, TEACHER}),  # the whole instansi, active people only
        ({"unit_ids": ["DINKES"]}, {HEAD_DINKES, NURSE, CLERK}),
        ({"roles": ["fungsional"]}, {NURSE, TEACHER}),
        ({"unit_ids": ["DISDIK"], "roles": ["pegawai"]}, {HEAD_DISDIK, TEACHER}),
        ({"roles": ["kepala_unit", "pelaksana"]}, {HEAD_DINKES, HEAD_DISDIK, CLERK}),
    ],
)
def test_targeting_by_instansi_unit_and_role(client, admin, auth, city, target, expected) -> None:
    body = {"kind": "announcement", "title_id": "Sosialisasi e-Kinerja", "body_id": "Mulai 2027 SKP disusun di sistem.",
            "target": target}  # fmt: skip
    _, published = publish(client, admin(), body)
    assert published.json["targeted"] == len(expected)
    for nip in (HEAD_DINKES, NURSE, CLERK, HEAD_DISDIK, TEACHER):
        got = client.get("/api/v1/notices", headers=auth(nip=nip)).json
        assert (len(got) == 1) == (nip in expected), nip
    assert client.get("/api/v1/notices", headers=auth(nip=ELSEWHERE, tenant="3674")).json == []


def test_reach_counts_targeted_delivered_and_read_per_unit(runtime, client, admin, auth, city) -> None:
    body = {**WORKSHOP, "kind": "explainer", "target": {"unit_ids": ["DINKES", "DISDIK"]}}
    campaign_id, _ = publish(client, admin(), body)
    for nip in (NURSE, CLERK, TEACHER):
        (notice,) = client.get("/api/v1/notices", headers=auth(nip=nip)).json
        assert client.post(f"/api/v1/notices/{notice['notice_id']}/read", headers=auth(nip=nip)).status_code == 200
    with smtp_server() as (mailbox, port):
        options = NotificationSettings(smtp=SmtpSettings(host="127.0.0.1", port=port, starttls=False))
        assert create_dispatcher(runtime, options).run_once()["delivered"] == 5
    assert len(mailbox.messages) == 5

    reach = client.get(f"/api/v1/campaigns/{campaign_id}/reach", headers=admin()).json
    assert (reach["targeted"], reach["in_app_delivered"], reach["email_delivered"], reach["read"]) == (5, 5, 5, 3)
    assert reach["read_rate"] == 0.6
    per_unit = {u["unit_id"]: u for u in reach["per_unit"]}
    assert per_unit["DINKES"]["unit_name"] == "Dinas Kesehatan"
    assert (per_unit["DINKES"]["targeted"], per_unit["DINKES"]["read"]) == (3, 2)
    assert (per_unit["DISDIK"]["targeted"], per_unit["DISDIK"]["read"], per_unit["DISDIK"]["read_rate"]) == (2, 1, 0.5)


def test_campaigns_belong_to_the_admins_instansi(client, admin, auth, city) -> None:
    campaign_id, _ = publish(client, admin(), {**WORKSHOP, "target": {}})
    assert client.get(f"/api/v1/campaigns/{campaign_id}/reach", headers=admin("3674")).status_code == 404
    assert client.post(f"/api/v1/campaigns/{campaign_id}/publish", headers=admin("3674")).status_code == 404
    assert client.get("/api/v1/campaigns", headers=admin("3674")).json == []
    assert [c["campaign_id"] for c in client.get("/api/v1/campaigns", headers=admin()).json] == [campaign_id]
    assert client.post("/api/v1/campaigns", json=WORKSHOP, headers=auth()).status_code == 403


def test_an_invitation_needs_when_and_where_and_a_target_must_reach_someone(client, admin, city) -> None:
    no_place = {k: v for k, v in WORKSHOP.items() if k != "place"}
    refused = client.post("/api/v1/campaigns", json=no_place, headers=admin())
    assert refused.status_code == 409
    assert refused.json["error"]["details"][0]["field"] == "place"
    bad_role = client.post("/api/v1/campaigns", json={**WORKSHOP, "target": {"roles": ["bupati"]}}, headers=admin())
    assert bad_role.status_code == 409
    _, nobody = publish(client, admin(), {**WORKSHOP, "target": {"unit_ids": ["DISHUB"]}})
    assert nobody.status_code == 409
