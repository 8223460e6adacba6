"""The rewards HTTP API: who may read which decision, the policy in force, and the 4xx paths."""

from __future__ import annotations

import pytest

from tests.unit.rewards.rewards_samples import (
    ADMIN,
    ATASAN,
    COLLEAGUE,
    EMPLOYEE,
    OTHER_TENANT,
    TENANT,
    evaluation_payload,
)

REWARD_ID = "reward-eval-198503302010011002-2026-annual"
COACHING_ID = "coaching-eval-198503302010011002-2025-annual"


@pytest.fixture
def seeded(deliver) -> None:
    deliver(evaluation_payload(predikat="butuh_perbaikan", period_year=2025))
    deliver(evaluation_payload(predikat="sangat_baik", period_year=2026))
    deliver(evaluation_payload(predikat="baik", nip=COLLEAGUE))
    deliver(evaluation_payload(predikat="baik", nip=EMPLOYEE, evaluation_id="eval-elsewhere"), tenant=OTHER_TENANT)


@pytest.mark.usefixtures("seeded")
class TestDecisions:
    def test_employee_lists_own_decisions_of_own_tenant(self, client, auth) -> None:
        r = client.get("/api/v1/decisions", headers=auth(EMPLOYEE))
        assert r.status_code == 200
        assert [d["decision_id"] for d in r.json] == [REWARD_ID, COACHING_ID]
        reward = r.json[0]
        assert reward["kind"] == "reward"
        assert reward["details"]["awards"] == ["sertifikat_penghargaan", "prioritas_pelatihan"]
        assert reward["details"]["promotion_eligible"] is False
        assert reward["policy_version"] == "default-2026.1"

    def test_filters_by_year_and_kind(self, client, auth) -> None:
        r = client.get("/api/v1/decisions?period_year=2025", headers=auth(EMPLOYEE))
        assert [d["decision_id"] for d in r.json] == [COACHING_ID]
        r = client.get("/api/v1/decisions?kind=reward", headers=auth(EMPLOYEE))
        assert [d["decision_id"] for d in r.json] == [REWARD_ID]

    def test_employee_may_not_list_someone_else(self, client, auth) -> None:
        r = client.get(f"/api/v1/decisions?nip={COLLEAGUE}", headers=auth(EMPLOYEE))
        assert r.status_code == 403
        assert r.json["error"]["code"] == "forbidden"

    def test_admin_lists_the_whole_tenant_only(self, client, auth) -> None:
        r = client.get("/api/v1/decisions", headers=auth(ADMIN, ("admin_instansi",)))
        assert r.status_code == 200
        assert len(r.json) == 3
        assert {d["tenant"] for d in r.json} == {TENANT}
        r = client.get(f"/api/v1/decisions?nip={COLLEAGUE}", headers=auth(ADMIN, ("admin_instansi",)))
        assert [d["nip"] for d in r.json] == [COLLEAGUE]

    @pytest.mark.parametrize(
        "query", ["nip=123", "period_year=x", "period_year=1999", "kind=bonus", "limit=0", "offset=-1"]
    )
    def test_bad_query_is_422(self, client, auth, query: str) -> None:
        r = client.get(f"/api/v1/decisions?{query}", headers=auth(EMPLOYEE))
        assert r.status_code == 422
        assert r.json["error"]["details"][0]["location"] == "query"

    def test_read_own_decision(self, client, auth) -> None:
        r = client.get(f"/api/v1/decisions/{COACHING_ID}", headers=auth(EMPLOYEE))
        assert r.status_code == 200
        assert r.json["details"]["goals"][0].startswith("Tingkatkan capaian IKI 'Pasien dilayani'")
        assert r.json["details"]["duration_months"] == 6
        assert r.json["incentive_percentage"] == 90

    def test_the_coach_reads_the_coaching_but_not_the_reward(self, client, auth) -> None:
        atasan = auth(ATASAN, ("pegawai", "atasan"))
        assert client.get(f"/api/v1/decisions/{COACHING_ID}", headers=atasan).status_code == 200
        assert client.get(f"/api/v1/decisions/{REWARD_ID}", headers=atasan).status_code == 403

    def test_a_colleague_is_forbidden_and_admin_allowed(self, client, auth) -> None:
        assert client.get(f"/api/v1/decisions/{REWARD_ID}", headers=auth(COLLEAGUE)).status_code == 403
        admin = auth(ADMIN, ("admin_instansi",))
        assert client.get(f"/api/v1/decisions/{REWARD_ID}", headers=admin).status_code == 200

    def test_another_tenant_sees_404(self, client, auth) -> None:
        admin_elsewhere = auth(ADMIN, ("admin_instansi",), OTHER_TENANT)
        r = client.get(f"/api/v1/decisions/{REWARD_ID}", headers=admin_elsewhere)
        assert r.status_code == 404
        assert r.json["error"]["code"] == "not_found"
        assert (
            client.get("/api/v1/decisions", headers=admin_elsewhere).json[0]["decision_id"] == "reward-eval-elsewhere"
        )

    def test_unknown_decision_is_404(self, client, auth) -> None:
        r = client.get("/api/v1/decisions/reward-nope?lang=en", headers=auth(EMPLOYEE))
        assert r.status_code == 404
        assert r.json["error"]["message"] == "Decision 'reward-nope' not found."


def test_without_a_token_is_401(client) -> None:
    assert client.get("/api/v1/decisions").status_code == 401
    assert client.get("/api/v1/policies/current").status_code == 401


def test_admin_reads_the_current_policy(client, auth) -> None:
    r = client.get("/api/v1/policies/current", headers=auth(ADMIN, ("admin_instansi",)))
    assert r.status_code == 200
    assert r.json["version"] == "default-2026.1"
    assert r.json["source"] == "default"
    assert r.json["effective_from"] == "2026-01-01"
    assert r.json["incentive_percentage"]["sangat_kurang"] == 80
    assert r.json["coaching"] == {"duration_months": 6, "goal_count": 3}


def test_non_admin_may_not_read_the_policy(client, auth) -> None:
    r = client.get("/api/v1/policies/current", headers=auth(EMPLOYEE, ("pegawai", "atasan")))
    assert r.status_code == 403


def test_writes_are_not_offered(client, auth) -> None:
    assert client.post("/api/v1/decisions", json={}, headers=auth(ADMIN, ("admin_instansi",))).status_code == 405


def test_openapi_documents_the_routes(client) -> None:
    paths = client.get("/openapi.json").json["paths"]
    assert {"/api/v1/decisions", "/api/v1/decisions/{decision_id}", "/api/v1/policies/current"} <= set(paths)
