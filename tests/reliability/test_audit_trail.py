"""The audit trail (`GET /api/v1/audit`, every service): who changed which record, when and why, from the
service's own event store; the admin of the instansi only, and only the instansi's records."""

from __future__ import annotations

import pytest

from services.evaluation.bootstrap import create_app as evaluation_app
from services.notifications.bootstrap import create_app as notifications_app
from services.planning.bootstrap import create_app as planning_app
from services.rewards.bootstrap import create_app as rewards_app
from services.rewards.bootstrap import event_handlers
from tests.unit.rewards.rewards_samples import OTHER_TENANT, TENANT, envelope, evaluation_payload
from tests.unit.service_harness import bearer, deliver, sqlite_runtime

ANDI, BUDI, ADMIN = "199104152019031005", "197001012000031001", "198001012005011004"
COACHING = f"coaching-eval-{ANDI}-2026-annual"


def test_the_admin_reads_who_changed_what_and_why_only_in_the_own_instansi(tmp_path) -> None:
    with sqlite_runtime("rewards", tmp_path) as runtime:
        client = rewards_app(runtime).test_client()
        handlers = event_handlers(runtime)
        deliver(runtime, handlers, envelope(evaluation_payload(predikat="sangat_kurang", nip=ANDI, atasan_nip=BUDI)))
        other = evaluation_payload(predikat="sangat_kurang", nip=ANDI, atasan_nip=BUDI, evaluation_id="eval-other")
        deliver(runtime, handlers, envelope(other, tenant=OTHER_TENANT))
        coach = bearer(runtime, BUDI, ["pegawai", "atasan"], TENANT)
        r = client.post(f"/api/v1/coaching/{COACHING}/check-ins", json={"progress": "at_risk"}, headers=coach)
        assert r.status_code == 201, r.json
        r = client.post(
            f"/api/v1/coaching/{COACHING}/close",
            json={"outcome": "improved", "summary": "Target triwulan tercapai"},
            headers=coach,
        )
        assert r.status_code in (200, 201), r.json
        admin = bearer(runtime, ADMIN, ["admin_instansi"], TENANT)

        trail = client.get("/api/v1/audit", headers=admin)
        assert trail.status_code == 200
        entries = trail.json
        assert entries, "the instansi's changes are listed"
        assert all(e["aggregate_id"] != "coaching-eval-other" for e in entries)
        assert {e["data"].get("tenant", TENANT) for e in entries} <= {TENANT}
        by_coach = client.get(f"/api/v1/audit?actor={BUDI}", headers=admin).json
        assert [e["event_type"] for e in by_coach][:2] == sorted(
            [e["event_type"] for e in by_coach][:2], key=lambda t: "closed" not in t
        )
        assert {e["actor"] for e in by_coach} == {BUDI}
        assert len(by_coach) == 2
        closed = by_coach[0]
        assert closed["reason"] == "Target triwulan tercapai"
        assert closed["aggregate_id"] == COACHING
        assert closed["occurred_at"] >= by_coach[1]["occurred_at"]  # newest first
        system = [e for e in entries if e["actor"] == "rewards"]
        assert [e["event_type"] for e in system] == ["coaching.assigned"]  # the worker acted on an evaluation
        one = client.get(f"/api/v1/audit?aggregate_id={COACHING}&limit=1", headers=admin).json
        assert [e["aggregate_id"] for e in one] == [COACHING]
        since = client.get("/api/v1/audit?since=2999-01-01T00:00:00%2B00:00", headers=admin).json
        assert since == []

        # The other instansi's admin sees only theirs; nobody else reads the trail.
        theirs = client.get("/api/v1/audit", headers=bearer(runtime, ADMIN, ["admin_instansi"], OTHER_TENANT)).json
        assert theirs
        assert all(e["aggregate_id"] != COACHING for e in theirs)
        assert client.get("/api/v1/audit", headers=coach).status_code == 403
        assert client.get("/api/v1/audit", headers=bearer(runtime, ANDI, ["pegawai"], TENANT)).status_code == 403
        assert client.get("/api/v1/audit", headers=bearer(runtime, ADMIN, ["agency"], TENANT)).status_code == 403
        assert client.get("/api/v1/audit").status_code == 401
        bad = client.get("/api/v1/audit?since=yesterday", headers=admin)
        assert bad.status_code == 422
        assert bad.json["error"]["details"][0]["field"] == "since"


@pytest.mark.parametrize(
    ("service", "factory"),
    [
        ("planning", planning_app),
        ("evaluation", evaluation_app),
        ("rewards", rewards_app),
        ("notifications", notifications_app),
    ],
)
def test_every_service_offers_its_audit_trail_to_the_admin(tmp_path, service, factory) -> None:
    with sqlite_runtime(service, tmp_path) as runtime:
        client = factory(runtime).test_client()
        assert "/api/v1/audit" in client.get("/openapi.json").json["paths"]
        assert (
            client.get("/api/v1/audit", headers=bearer(runtime, ADMIN, ["admin_instansi"], TENANT)).status_code == 200
        )
        assert (
            client.get("/api/v1/audit", headers=bearer(runtime, ANDI, ["pegawai", "atasan"], TENANT)).status_code == 403
        )
