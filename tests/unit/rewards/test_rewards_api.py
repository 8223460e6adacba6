"""The rewards HTTP API: who may read which decision, the pembinaan path, policy versions, budgets,
the incentive register and its CSV, re-runs, and the 4xx paths."""

from __future__ import annotations

import csv
import io

import pytest

from services.rewards.adapters.policies import DEFAULT_DIR, load_policies, policy_document
from tests.unit.rewards.rewards_samples import (
    ADMIN,
    AGENCY,
    ATASAN,
    COLLEAGUE,
    EMPLOYEE,
    OTHER_TENANT,
    TENANT,
    UNIT,
    employee_record,
    evaluation_payload,
)

REWARD_ID = "reward-eval-198503302010011002-2026-annual"
COACHING_ID = "coaching-eval-198503302010011002-2025-annual"
STRANGER = "198807072012121001"


@pytest.fixture
def seeded(deliver) -> None:
    deliver(employee_record(EMPLOYEE), event_type="employee.registered")
    deliver(employee_record(COLLEAGUE, name="Rina", atasan=STRANGER), event_type="employee.registered")
    deliver(evaluation_payload(predikat="butuh_perbaikan", period_year=2025))
    deliver(evaluation_payload(predikat="sangat_baik", period_year=2026))
    deliver(evaluation_payload(predikat="baik", nip=COLLEAGUE))
    deliver(evaluation_payload(predikat="baik", nip=EMPLOYEE, evaluation_id="eval-elsewhere"), tenant=OTHER_TENANT)


@pytest.fixture
def admin(auth) -> dict[str, str]:
    return auth(ADMIN, ("admin_instansi",))


@pytest.fixture
def coach(auth) -> dict[str, str]:
    return auth(ATASAN, ("pegawai", "atasan"))


@pytest.mark.usefixtures("seeded")
class TestDecisions:
    def test_employee_lists_own_decisions_of_own_tenant(self, client, auth) -> None:
        r = client.get("/api/v1/decisions", headers=auth(EMPLOYEE))
        assert r.status_code == 200
        assert [d["decision_id"] for d in r.json] == [REWARD_ID, COACHING_ID]
        reward = r.json[0]
        assert (reward["kind"], reward["state"], reward["active"]) == ("reward", "granted", True)
        assert reward["unit_id"] == UNIT
        assert reward["details"]["promotion_eligible"] is False
        assert reward["details"]["promotion_years"] == [
            {"period_year": 2026, "predikat": "sangat_baik"},
            {"period_year": 2025, "predikat": "butuh_perbaikan"},
        ]
        assert reward["details"]["training"]["priority"] is True
        assert reward["policy_version"] == "default-2026.1"

    def test_filters_by_year_kind_unit_and_state(self, client, auth, admin) -> None:
        r = client.get("/api/v1/decisions?period_year=2025", headers=auth(EMPLOYEE))
        assert [d["decision_id"] for d in r.json] == [COACHING_ID]
        r = client.get("/api/v1/decisions?kind=reward", headers=auth(EMPLOYEE))
        assert [d["decision_id"] for d in r.json] == [REWARD_ID]
        r = client.get(f"/api/v1/decisions?unit_id={UNIT}&period_year=2026", headers=admin)
        assert {d["nip"] for d in r.json} == {EMPLOYEE, COLLEAGUE}
        r = client.get("/api/v1/decisions?state=assigned", headers=admin)
        assert [d["decision_id"] for d in r.json] == [COACHING_ID]

    def test_employee_may_not_list_someone_else(self, client, auth) -> None:
        r = client.get(f"/api/v1/decisions?nip={COLLEAGUE}", headers=auth(EMPLOYEE))
        assert r.status_code == 403
        assert r.json["error"]["code"] == "forbidden"

    def test_an_atasan_sees_own_and_subordinates_only(self, client, auth, coach) -> None:
        r = client.get("/api/v1/decisions", headers=coach)
        assert {d["nip"] for d in r.json} == {EMPLOYEE}  # Siti reports to the atasan; Rina does not
        assert client.get(f"/api/v1/decisions?nip={EMPLOYEE}", headers=coach).status_code == 200
        assert client.get(f"/api/v1/decisions?nip={COLLEAGUE}", headers=coach).status_code == 403
        assert client.get(f"/api/v1/decisions/{REWARD_ID}", headers=coach).status_code == 200
        other = client.get("/api/v1/decisions?nip=" + COLLEAGUE, headers=auth(STRANGER, ("pegawai", "atasan")))
        assert [d["nip"] for d in other.json] == [COLLEAGUE]

    def test_admin_and_agency_list_the_whole_tenant_only(self, client, auth, admin) -> None:
        for headers in (admin, auth(AGENCY, ("agency",))):
            r = client.get("/api/v1/decisions", headers=headers)
            assert r.status_code == 200
            assert len(r.json) == 3
            assert {d["tenant"] for d in r.json} == {TENANT}

    @pytest.mark.parametrize(
        "query",
        [
            "nip=123",
            "period_year=x",
            "period_year=1999",
            "kind=bonus",
            "limit=0",
            "offset=-1",
            "state=lost",
            "active=kadang",
        ],
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

    def test_a_colleague_is_forbidden_and_admin_allowed(self, client, auth, admin) -> None:
        assert client.get(f"/api/v1/decisions/{REWARD_ID}", headers=auth(COLLEAGUE)).status_code == 403
        assert client.get(f"/api/v1/decisions/{REWARD_ID}", headers=admin).status_code == 200

    def test_another_tenant_sees_404(self, client, auth) -> None:
        admin_elsewhere = auth(ADMIN, ("admin_instansi",), OTHER_TENANT)
        r = client.get(f"/api/v1/decisions/{REWARD_ID}", headers=admin_elsewhere)
        assert r.status_code == 404
        assert r.json["error"]["code"] == "not_found"
        [elsewhere] = client.get("/api/v1/decisions", headers=admin_elsewhere).json
        assert elsewhere["decision_id"] == "reward-eval-elsewhere"

    def test_unknown_decision_is_404(self, client, auth) -> None:
        r = client.get("/api/v1/decisions/reward-nope?lang=en", headers=auth(EMPLOYEE))
        assert r.status_code == 404
        assert r.json["error"]["message"] == "Decision 'reward-nope' not found."


@pytest.mark.usefixtures("seeded")
class TestCoaching:
    def check_in(self, client, headers, progress: str = "behind", coaching_id: str = COACHING_ID):
        return client.post(
            f"/api/v1/coaching/{coaching_id}/check-ins",
            json={"progress": progress, "notes": "Kunjungan rumah belum terjadwal"},
            headers=headers,
        )

    def test_employee_and_coach_see_the_plan(self, client, auth, coach) -> None:
        for headers in (auth(EMPLOYEE), coach):
            r = client.get("/api/v1/coaching", headers=headers)
            assert [c["decision_id"] for c in r.json] == [COACHING_ID]
        r = client.get(f"/api/v1/coaching?state=assigned&nip={EMPLOYEE}", headers=coach)
        assert r.json[0]["details"]["coach_nip"] == ATASAN
        assert client.get(f"/api/v1/coaching/{COACHING_ID}", headers=auth(COLLEAGUE)).status_code == 403

    def test_the_improved_path_through_the_api(self, client, coach) -> None:
        r = self.check_in(client, coach)
        assert r.status_code == 201
        assert r.json["state"] == "in_progress"
        assert r.json["details"]["check_ins"][0]["progress"] == "behind"
        r = client.post(f"/api/v1/coaching/{COACHING_ID}/close", json={"outcome": "improved"}, headers=coach)
        assert r.status_code == 200
        assert (r.json["state"], r.json["details"]["outcome"]["outcome"]) == ("closed", "improved")
        again = self.check_in(client, coach)
        assert again.status_code == 409
        assert again.json["error"]["code"] == "illegal_transition"

    def test_the_not_improved_path_ends_with_a_competency_test_by_the_admin(self, client, coach, admin) -> None:
        self.check_in(client, coach, "at_risk")
        r = client.post(f"/api/v1/coaching/{COACHING_ID}/close", json={"outcome": "not_improved"}, headers=coach)
        assert r.json["state"] == "competency_test"
        test = {"result": "not_competent", "reassigned_to": "Pengadministrasi Umum Kecamatan"}
        assert (
            client.post(f"/api/v1/coaching/{COACHING_ID}/competency-test", json=test, headers=coach).status_code == 403
        )
        r = client.post(
            f"/api/v1/coaching/{COACHING_ID}/competency-test", json={"result": "not_competent"}, headers=admin
        )
        assert r.status_code == 409
        assert r.json["error"]["code"] == "reassignment_required"
        r = client.post(f"/api/v1/coaching/{COACHING_ID}/competency-test", json=test, headers=admin)
        assert r.status_code == 200
        assert r.json["state"] == "closed"
        assert r.json["details"]["competency_test"]["reassigned_to"] == test["reassigned_to"]

    def test_the_history_shows_every_step_with_who_took_it(self, client, auth, coach) -> None:
        self.check_in(client, coach)
        client.post(f"/api/v1/coaching/{COACHING_ID}/close", json={"outcome": "improved"}, headers=coach)
        r = client.get(f"/api/v1/decisions/{COACHING_ID}/history", headers=auth(EMPLOYEE))
        assert r.status_code == 200
        assert [(s["event_type"], s["actor"]) for s in r.json] == [
            ("coaching.assigned", "rewards"),
            ("coaching.check_in_recorded", ATASAN),
            ("coaching.closed", ATASAN),
        ]
        assert r.json[2]["facts"] == {"outcome": "improved", "next_step": "none"}
        assert client.get(f"/api/v1/decisions/{COACHING_ID}/history", headers=auth(COLLEAGUE)).status_code == 403
        elsewhere = auth(ADMIN, ("admin_instansi",), OTHER_TENANT)
        assert client.get(f"/api/v1/decisions/{COACHING_ID}/history", headers=elsewhere).status_code == 404

    def test_closing_before_a_check_in_is_409(self, client, coach) -> None:
        r = client.post(f"/api/v1/coaching/{COACHING_ID}/close?lang=en", json={"outcome": "improved"}, headers=coach)
        assert r.status_code == 409
        assert "cannot close it before a check-in" in r.json["error"]["message"]

    def test_competency_test_before_closing_is_409(self, client, admin) -> None:
        r = client.post(f"/api/v1/coaching/{COACHING_ID}/competency-test", json={"result": "competent"}, headers=admin)
        assert r.status_code == 409

    def test_only_the_coach_records_steps(self, client, auth, admin) -> None:
        for headers in (auth(EMPLOYEE), admin, auth(STRANGER, ("pegawai", "atasan"))):
            assert self.check_in(client, headers).status_code == 403
        elsewhere = auth(ATASAN, ("pegawai", "atasan"), OTHER_TENANT)
        assert self.check_in(client, elsewhere).status_code == 404

    def test_the_coach_acts_as_atasan_not_with_any_token_bearing_their_nip(self, client, auth) -> None:
        for roles in (("pegawai",), ("admin_instansi",), ("agency",)):
            assert self.check_in(client, auth(ATASAN, roles)).status_code == 403
            closing = client.post(
                f"/api/v1/coaching/{COACHING_ID}/close", json={"outcome": "improved"}, headers=auth(ATASAN, roles)
            )
            assert closing.status_code == 403

    def test_a_reward_is_not_a_coaching(self, client, coach) -> None:
        assert self.check_in(client, coach, coaching_id=REWARD_ID).status_code == 404
        assert self.check_in(client, coach, coaching_id="coaching-nope").status_code == 404

    @pytest.mark.parametrize(
        ("path", "body", "field"),
        [
            ("check-ins", {"progress": "great"}, "progress"),
            ("check-ins", {"progress": "behind", "held_on": "kemarin"}, "held_on"),
            ("check-ins", {}, "progress"),
            ("close", {"outcome": "maybe"}, "outcome"),
            ("competency-test", {"result": "lulus"}, "result"),
        ],
    )
    def test_bad_bodies_are_422_naming_the_field(self, client, admin, coach, path, body, field) -> None:
        headers = admin if path == "competency-test" else coach
        r = client.post(f"/api/v1/coaching/{COACHING_ID}/{path}", json=body, headers=headers)
        assert r.status_code == 422
        assert r.json["error"]["details"][0]["field"] == field

    def test_a_check_in_before_the_plan_started_is_refused(self, client, coach) -> None:
        r = client.post(
            f"/api/v1/coaching/{COACHING_ID}/check-ins",
            json={"held_on": "2020-01-01", "progress": "behind"},
            headers=coach,
        )
        assert r.status_code == 409
        assert r.json["error"]["details"][0]["field"] == "held_on"


def policy_body(version: str = "palembang-2027.1", **changes) -> dict:
    document = policy_document(load_policies(DEFAULT_DIR).default)
    document.update(version=version, effective_from="2026-06-01", **changes)
    return document


class TestPolicies:
    def test_admin_reads_the_current_policy(self, client, admin) -> None:
        r = client.get("/api/v1/policies/current", headers=admin)
        assert r.status_code == 200
        assert (r.json["version"], r.json["source"], r.json["effective_from"]) == (
            "default-2026.1",
            "default",
            "2026-01-01",
        )
        assert r.json["incentive_percentage"]["sangat_kurang"] == 80
        assert r.json["coaching"] == {"duration_months": 6, "goal_count": 3}
        assert r.json["credit_points"]["annual_coefficient"]["ahli_utama"] == 50

    def test_non_admin_may_not_read_or_publish(self, client, auth) -> None:
        headers = auth(EMPLOYEE, ("pegawai", "atasan"))
        assert client.get("/api/v1/policies/current", headers=headers).status_code == 403
        assert client.post("/api/v1/policies", json=policy_body(), headers=headers).status_code == 403
        agency = auth(AGENCY, ("agency",))
        assert client.get("/api/v1/policies", headers=agency).status_code == 200
        assert client.post("/api/v1/policies", json=policy_body(), headers=agency).status_code == 403

    def test_publish_a_version_then_it_is_listed_and_never_edited(self, client, auth, admin) -> None:
        r = client.post("/api/v1/policies", json=policy_body(), headers=admin)
        assert r.status_code == 201
        assert (r.json["version"], r.json["source"]) == ("palembang-2027.1", "published")
        again = client.post(
            "/api/v1/policies", json=policy_body(incentive_percentage={"sangat_baik": 1}), headers=admin
        )
        assert again.status_code in (409, 422)
        same = client.post("/api/v1/policies", json=policy_body(), headers=admin)
        assert same.status_code == 409
        assert same.json["error"]["code"] == "policy_version_exists"
        taken = client.post("/api/v1/policies", json=policy_body("default-2026.1"), headers=admin)
        assert taken.status_code == 409
        versions = client.get("/api/v1/policies", headers=admin).json
        assert [(v["version"], v["source"]) for v in versions] == [
            ("default-2026.1", "default"),
            ("palembang-2027.1", "published"),
        ]
        assert client.put("/api/v1/policies", json=policy_body(), headers=admin).status_code == 405
        elsewhere = client.get("/api/v1/policies", headers=auth(ADMIN, ("admin_instansi",), OTHER_TENANT)).json
        assert [v["version"] for v in elsewhere] == ["default-2026.1"]

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"incentive_percentage": {"baik": 100}}, "incentive_percentage.sangat_baik"),
            ({"coaching": {"duration_months": 9, "goal_count": 3}}, "coaching.duration_months"),
            ({"incentive": {"budget_exhausted": "undian"}}, "incentive.budget_exhausted"),
            ({"version": "spasi tidak boleh"}, "version"),
            ({"bonus": 1}, "bonus"),
        ],
    )
    def test_an_invalid_policy_is_422_naming_the_field(self, client, admin, change: dict, field: str) -> None:
        r = client.post("/api/v1/policies", json={**policy_body(), **change}, headers=admin)
        assert r.status_code == 422
        assert field in [d["field"] for d in r.json["error"]["details"]]


@pytest.mark.usefixtures("seeded")
class TestRegisterAndRerun:
    def test_budget_and_register_with_csv_for_finance(self, client, auth, admin) -> None:
        r = client.put(f"/api/v1/budgets/2026/{UNIT}", json={"amount": 30_000_000}, headers=admin)
        assert r.status_code == 200
        r = client.get("/api/v1/incentive-register?period_year=2026", headers=auth(AGENCY, ("agency",)))
        assert r.status_code == 200
        [unit] = r.json["units"]
        assert (unit["budget"], unit["claims"], unit["gross_total"], unit["payable_total"]) == (
            30_000_000,
            2,
            48_000_000,
            30_000_000,
        )
        assert {row["budget_status"] for row in r.json["rows"]} == {"pro_rata"}
        r = client.get("/api/v1/incentive-register.csv?period_year=2026", headers=admin)
        assert r.status_code == 200
        assert r.mimetype == "text/csv"
        assert "register-insentif-1671-2026.csv" in r.headers["Content-Disposition"]
        lines = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
        assert [(row["nip"], row["payable_amount"], row["budget_status"]) for row in lines] == [
            (EMPLOYEE, "15000000", "pro_rata"),
            (COLLEAGUE, "15000000", "pro_rata"),
        ]
        assert lines[0]["policy_version"] == "default-2026.1"

    def test_register_is_for_admin_and_agency_and_needs_the_period(self, client, auth, admin) -> None:
        assert client.get("/api/v1/incentive-register?period_year=2026", headers=auth(EMPLOYEE)).status_code == 403
        assert client.get("/api/v1/incentive-register.csv?period_year=2026", headers=auth(EMPLOYEE)).status_code == 403
        assert client.get("/api/v1/incentive-register", headers=admin).status_code == 422
        r = client.put(f"/api/v1/budgets/2026/{UNIT}", json={"amount": -1}, headers=admin)
        assert r.status_code == 422
        assert client.put(f"/api/v1/budgets/2026/{UNIT}", json={"amount": 1}, headers=auth(EMPLOYEE)).status_code == 403

    def test_rerun_under_a_new_version_revokes_and_replaces(self, client, auth, admin) -> None:
        body = policy_body(incentive_percentage={**policy_body()["incentive_percentage"], "baik": 95})
        client.post("/api/v1/policies", json=body, headers=admin)
        r = client.post("/api/v1/periods/2026/rerun", headers=admin)
        assert r.status_code == 200
        assert r.json["policy_version"] == "palembang-2027.1"
        assert len(r.json["redecided"]) == 2
        decisions = client.get("/api/v1/decisions?period_year=2026", headers=admin).json
        assert sorted((d["active"], d["policy_version"]) for d in decisions) == [
            (False, "default-2026.1"),
            (False, "default-2026.1"),
            (True, "palembang-2027.1"),
            (True, "palembang-2027.1"),
        ]
        assert client.post("/api/v1/periods/2026/rerun", headers=auth(EMPLOYEE)).status_code == 403


def test_without_a_token_is_401(client) -> None:
    for path in ("/api/v1/decisions", "/api/v1/policies/current", "/api/v1/coaching", "/api/v1/incentive-register"):
        assert client.get(path).status_code == 401


def test_writes_are_not_offered_on_decisions(client, admin) -> None:
    assert client.post("/api/v1/decisions", json={}, headers=admin).status_code == 405


def test_openapi_documents_the_routes(client) -> None:
    paths = client.get("/openapi.json").json["paths"]
    assert {
        "/api/v1/decisions",
        "/api/v1/decisions/{decision_id}",
        "/api/v1/decisions/{decision_id}/history",
        "/api/v1/coaching",
        "/api/v1/coaching/{coaching_id}",
        "/api/v1/coaching/{coaching_id}/check-ins",
        "/api/v1/coaching/{coaching_id}/close",
        "/api/v1/coaching/{coaching_id}/competency-test",
        "/api/v1/policies",
        "/api/v1/policies/current",
        "/api/v1/periods/{period_year}/rerun",
        "/api/v1/budgets/{period_year}/{unit_id}",
        "/api/v1/incentive-register",
        "/api/v1/incentive-register.csv",
    } <= set(paths)
