"""The happy path across four separate service processes, over a real Kafka broker, each
service on its own PostgreSQL database — asserted through the APIs and on the topics.

Two employees of one atasan: Siti plans, is returned once, is approved, reports a strong year
and gets a reward; Andi under-delivers and gets pembinaan (coaching) with his atasan as coach.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from deploy.local.stack import SERVICES, LocalStack
from shared.auth import TokenService
from shared.config import DEV_JWT_SECRET, Settings
from shared.events import Envelope
from tests.e2e.http import call, eventually
from tests.integration.kafka_tools import read_envelopes as read_all_envelopes

pytestmark = pytest.mark.e2e

TENANT = "1671"  # Kota Palembang
SITI, ANDI, BUDI = "198503302010011002", "199104152019031005", "197001012000031001"
ADMIN = "196805101994031002"
BEHAVIOUR_SESUAI = {
    value: "sesuai_ekspektasi"
    for value in ("berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif")
}


def free_ports(count: int) -> list[int]:
    import socket

    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@pytest.fixture(scope="module")
def stack(kafka_bootstrap: str, postgres, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("e2e-logs")
    databases = {name: postgres.new_database(f"e2e_{name}") for name in SERVICES}
    ports = dict(zip(SERVICES, free_ports(len(SERVICES)), strict=True))
    env = {"JWT_SECRET": DEV_JWT_SECRET, "KAFKA_TOPIC_PARTITIONS": "3", "WEB_CONCURRENCY": "1"}
    with LocalStack(
        kafka_bootstrap=kafka_bootstrap, database_urls=databases, ports=ports, log_dir=log_dir, env=env
    ) as running:
        yield running
    for log in sorted(log_dir.glob("*.log")):  # shown by pytest only when a test failed
        print(f"--- {log.name} (last 30 lines)\n" + "\n".join(log.read_text(errors="replace").splitlines()[-30:]))


# The development broker is shared and long-lived: the fixed topics keep earlier runs' events.
# Several copies of this test may run against it at once: this run's chain carries its own id.
RUN_STARTED = datetime.now(UTC)
RUN_ID = uuid.uuid4().hex[:8]
RUN_HEADERS = {"X-Correlation-ID": f"plans-{RUN_ID}"}


def read_envelopes(bootstrap: str, topic: str) -> list[Envelope]:
    """This run's events on the topic."""
    return [e for e in read_all_envelopes(bootstrap, topic) if e.occurred_at >= RUN_STARTED]


TOKENS = TokenService.from_settings(Settings.from_env("e2e"))
SITI_TOKEN = TOKENS.mint(SITI, ["pegawai"], TENANT, name="Siti Aminah")
ANDI_TOKEN = TOKENS.mint(ANDI, ["pegawai"], TENANT, name="Andi Pratama")
BUDI_TOKEN = TOKENS.mint(BUDI, ["pegawai", "atasan"], TENANT, name="Budi Santoso")
ADMIN_TOKEN = TOKENS.mint(ADMIN, ["admin_instansi"], TENANT, name="Admin BKPSDM")
PEOPLE = [
    (BUDI, "Budi Santoso", "DINKES", "jpt", None, True),
    (SITI, "Siti Aminah", "PKM-SUKARAMI", "pelaksana", BUDI, False),
    (ANDI, "Andi Pratama", "PKM-SUKARAMI", "pelaksana", BUDI, False),
]


@pytest.fixture(scope="module")
def budi_rhk(stack: LocalStack) -> str:
    """The admin registers the organisation; Budi, the kepala dinas, drafts the plan his staff cascade from."""
    organisation = f"{stack.url('planning')}/api/v1/organisation"
    for unit in (
        {"unit_id": "DINKES", "name": "Dinas Kesehatan"},
        {"unit_id": "PKM-SUKARAMI", "name": "Puskesmas Sukarami", "parent_unit_id": "DINKES", "serves_public": True},
    ):
        assert call("POST", f"{organisation}/units", ADMIN_TOKEN, unit).status == 201
    for nip, name, unit_id, kind, atasan, head in PEOPLE:
        person = {"nip": nip, "name": name, "employee_type": "pns", "unit_id": unit_id, "position_kind": kind}
        person |= {"position_name": kind.title(), "atasan_nip": atasan, "is_unit_head": head}
        registered = call("POST", f"{organisation}/employees", ADMIN_TOKEN, person)
        assert registered.status == 201, registered.body
    budi_plan = {
        "period_year": 2026,
        "rhk": [
            {
                "description": "Meningkatnya derajat kesehatan masyarakat",
                "kind": "utama",
                "perspective": "penerima_layanan",
                "iki": [{"indicator": "Cakupan layanan", "aspect": "kuantitas", "target": 90, "unit": "persen"}],
            }
        ],
    }
    drafted = call("POST", f"{stack.url('planning')}/api/v1/skp", BUDI_TOKEN, budi_plan)
    assert drafted.status == 201, drafted.body
    return drafted.body["rhk"][0]["rhk_id"]


def plan(budi_rhk: str) -> dict:
    return {
        "period_year": 2026,
        "rhk": [
            {
                "description": "Meningkatnya layanan kesehatan dasar",
                "kind": "utama",
                "intervenes_rhk_id": budi_rhk,
                "iki": [
                    {
                        "indicator": "Pasien yang dilayani",
                        "aspect": "kuantitas",
                        "target": 1200,
                        "unit": "pasien",
                        "direction": "higher_is_better",
                    },
                    {
                        "indicator": "Waktu tunggu rata-rata",
                        "aspect": "waktu",
                        "target": 30,
                        "unit": "menit",
                        "direction": "lower_is_better",
                    },
                ],
            }
        ],
    }


def approved_plan(
    stack: LocalStack, token: str, budi_rhk: str, realisasi: tuple[float, float], return_first: bool = False
) -> dict:
    planning = stack.url("planning")
    created = call("POST", f"{planning}/api/v1/skp", token, plan(budi_rhk), headers=RUN_HEADERS)
    assert created.status == 201, created.body
    skp_id = created.body["skp_id"]
    assert (
        call("POST", f"{planning}/api/v1/skp/{skp_id}/submit", token, headers=RUN_HEADERS).body["status"] == "submitted"
    )
    if return_first:
        returned = call(
            "POST",
            f"{planning}/api/v1/skp/{skp_id}/return",
            BUDI_TOKEN,
            {"reason": "Tambahkan IKI waktu tunggu yang terukur."},
            headers=RUN_HEADERS,
        )
        assert returned.body["status"] == "returned"
        assert (
            call("POST", f"{planning}/api/v1/skp/{skp_id}/submit", token, headers=RUN_HEADERS).body["status"]
            == "submitted"
        )
    approved = call("POST", f"{planning}/api/v1/skp/{skp_id}/approve", BUDI_TOKEN, headers=RUN_HEADERS)
    assert approved.body["status"] == "approved", approved.body
    for iki, value in zip(approved.body["rhk"][0]["iki"], realisasi, strict=True):
        reported = call(
            "POST",
            f"{planning}/api/v1/skp/{skp_id}/realisasi",
            token,
            {
                "quarter": 4,
                "iki_id": iki["iki_id"],
                "value": value,
                "evidence_url": "https://arsip.palembang.go.id/bukti/q4.pdf",
            },
            headers=RUN_HEADERS,
        )
        assert reported.status == 200, reported.body
    return approved.body


def evaluate(stack: LocalStack, nip: str, skp_id: str) -> dict:
    evaluation = stack.url("evaluation")
    # evaluation learns the plan and the realisasi only from planning's events
    eventually(
        lambda: (
            (r := call("GET", f"{evaluation}/api/v1/plans/{skp_id}", BUDI_TOKEN)).status == 200
            and len(r.body.get("realisasi", [])) == 2
        ),
        f"evaluation's projection of {skp_id}",
    )
    assessed = call(
        "POST",
        f"{evaluation}/api/v1/assessments",
        BUDI_TOKEN,
        {
            "nip": nip,
            "period_year": 2026,
            "source": "atasan",
            "behaviour": BEHAVIOUR_SESUAI,
            "feedback": "Konsisten dan dapat diandalkan.",
        },
    )
    assert assessed.status == 201, assessed.body
    result = call(
        "POST",
        f"{evaluation}/api/v1/evaluations",
        BUDI_TOKEN,
        {"nip": nip, "period_year": 2026, "period": "annual"},
        headers={"X-Correlation-ID": f"year-end-{nip}-{RUN_ID}"},
    )
    assert result.status == 201, result.body
    return result.body


def inbox(stack: LocalStack, token: str, lang: str = "id") -> list[dict]:
    reply = call("GET", f"{stack.url('notifications')}/api/v1/notices?lang={lang}", token)
    assert reply.status == 200, reply.body
    return reply.body


def test_strong_year_flows_to_a_reward_and_notices(stack: LocalStack, budi_rhk: str) -> None:
    skp = approved_plan(stack, SITI_TOKEN, budi_rhk, realisasi=(1400, 24), return_first=True)
    assert (skp["employee_name"], skp["unit"], skp["atasan_nip"]) == ("Siti Aminah", "Puskesmas Sukarami", BUDI)
    result = evaluate(stack, SITI, skp["skp_id"])
    assert result["rating_hasil_kerja"] == "di_atas_ekspektasi"
    assert result["rating_perilaku_kerja"] == "sesuai_ekspektasi"
    assert result["predikat"] == "baik"
    assert result["explanation"]

    decisions = eventually(
        lambda: call("GET", f"{stack.url('rewards')}/api/v1/decisions?nip={SITI}", SITI_TOKEN).body,
        "Siti's reward decision",
    )
    [decision] = decisions
    assert decision["kind"] == "reward"
    assert decision["incentive_percentage"] == 100
    assert decision["policy_version"]

    wanted = {"plan.returned", "plan.approved", "evaluation.completed", "reward.granted"}
    notices = eventually(
        lambda: (n := inbox(stack, SITI_TOKEN)) and wanted <= {x["event_type"] for x in n} and n, "Siti's notices"
    )
    by_type = {n["event_type"]: n for n in notices}
    assert "Tambahkan IKI waktu tunggu" in by_type["plan.returned"]["body"]
    assert "Budi Santoso mengembalikan" in by_type["plan.returned"]["body"]
    evaluated = by_type["evaluation.completed"]
    assert "Baik" in evaluated["title"] + evaluated["body"]
    assert "2026" in evaluated["body"]
    english = {n["event_type"]: n for n in inbox(stack, SITI_TOKEN, lang="en")}
    assert "Good" in english["evaluation.completed"]["title"] + english["evaluation.completed"]["body"]
    # the atasan was told a plan awaited approval
    atasan_notices = inbox(stack, BUDI_TOKEN)
    assert any(n["event_type"] == "plan.submitted" and "Siti Aminah" in n["body"] for n in atasan_notices)

    unread = call("GET", f"{stack.url('notifications')}/api/v1/notices/unread-count", SITI_TOKEN).body["unread"]
    marked = call("POST", f"{stack.url('notifications')}/api/v1/notices/{evaluated['notice_id']}/read", SITI_TOKEN)
    assert marked.status == 200
    after = call("GET", f"{stack.url('notifications')}/api/v1/notices/unread-count", SITI_TOKEN).body["unread"]
    assert after == unread - 1


def test_weak_year_flows_to_coaching_for_employee_and_coach(stack: LocalStack, budi_rhk: str) -> None:
    skp = approved_plan(stack, ANDI_TOKEN, budi_rhk, realisasi=(600, 55))
    result = evaluate(stack, ANDI, skp["skp_id"])
    assert result["rating_hasil_kerja"] == "di_bawah_ekspektasi"
    assert result["predikat"] == "butuh_perbaikan"

    [decision] = eventually(
        lambda: call("GET", f"{stack.url('rewards')}/api/v1/decisions?nip={ANDI}", ANDI_TOKEN).body,
        "Andi's coaching decision",
    )
    assert decision["kind"] == "coaching"
    assert decision["incentive_percentage"] == 90

    [for_andi] = eventually(
        lambda: [n for n in inbox(stack, ANDI_TOKEN) if n["event_type"] == "coaching.assigned"],
        "Andi's coaching notice",
    )
    assert "dengan Budi Santoso sebagai pembina" in for_andi["body"]
    coach_notice = eventually(
        lambda: [n for n in inbox(stack, BUDI_TOKEN) if n["event_type"] == "coaching.assigned"], "the coach's notice"
    )
    assert "Andi Pratama" in coach_notice[0]["body"]


def test_the_topics_carry_the_chain_of_causes(stack: LocalStack, kafka_bootstrap: str) -> None:
    eventually(
        lambda: (
            len(
                [
                    e
                    for e in read_envelopes(kafka_bootstrap, "kinerja.notifications.events")
                    if e.payload.get("source_event_type") == "reward.granted"
                ]
            )
            >= 1
        ),
        "notice.delivered for the reward",
    )
    evaluations = [
        e
        for e in read_envelopes(kafka_bootstrap, "kinerja.evaluation.events")
        if e.event_type == "evaluation.completed"
        and e.payload["nip"] == SITI
        and e.correlation_id == f"year-end-{SITI}-{RUN_ID}"
    ]
    [completed] = evaluations
    [granted] = [
        e
        for e in read_envelopes(kafka_bootstrap, "kinerja.rewards.events")
        if e.event_type == "reward.granted"
        and e.payload["nip"] == SITI
        and e.correlation_id == completed.correlation_id
    ]
    assert granted.causation_id == completed.event_id
    assert granted.correlation_id == completed.correlation_id
    delivered = [
        e
        for e in read_envelopes(kafka_bootstrap, "kinerja.notifications.events")
        if e.payload.get("source_event_id") == granted.event_id
    ]
    assert [d.causation_id for d in delivered] == [granted.event_id]
    planning_types = [
        e.event_type
        for e in read_envelopes(kafka_bootstrap, "kinerja.planning.events")
        if e.payload.get("nip") == SITI and e.correlation_id == RUN_HEADERS["X-Correlation-ID"]
    ]
    assert planning_types == [
        "plan.submitted",
        "plan.returned",
        "plan.submitted",
        "plan.approved",
        "progress.reported",
        "progress.reported",
    ]
    assert all(json.dumps(e.payload) for e in evaluations)


def test_a_further_worker_copy_serves_its_own_metrics_and_readiness(stack: LocalStack) -> None:
    service = stack.services["rewards"]
    [port] = free_ports(1)
    copy = service.add_worker(2, port)
    try:

        def ready(url: str) -> bool:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own URL
                    return response.status == 200 and json.load(response)["service"] == "rewards"
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                return False

        eventually(lambda: ready(f"http://127.0.0.1:{port}/readyz"), "the copy's /readyz on its own port")
        assert ready(f"http://127.0.0.1:{service.metrics_port}/readyz")  # the first copy keeps its own
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
            assert b"kinerja_" in response.read()
    finally:
        service.stop_process("worker2")
        assert copy.returncode is not None
