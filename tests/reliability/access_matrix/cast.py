"""The people the matrix asks as, and the records it asks about, made the way production makes them.

Instansi 1671: SETDA (the Sekda) → DINKES (the kepala dinas) → PKM, a puskesmas headed by Budi, where
Siti works; Rina works in DISDIK, under the Sekda, and is related to none of them. Siti's atasan is
Budi, Budi's is the kepala dinas (so the kepala dinas is Siti's atasan pejabat penilai).

Planning is seeded through its API; its outbox events are handed to the other services' consumer
handlers, as the workers do; evaluation is then driven through its API and its outbox handed on to
rewards and notifications. A few events the chain would need a whole year to produce (an earlier
year's evaluation) are contract-valid envelopes made here. Every record id the cases refer to ends up
in `World.facts`.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import blake2b
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from shared.contracts import CATALOG
from shared.contracts.vocabulary import BerakhlakValue
from shared.events import Envelope
from shared.runtime import ServiceRuntime
from tests.unit.planning.fixtures import ADMIN, BUDI, RINA, SITI, PlanningApi, draft, employee, register, rhk
from tests.unit.service_harness import bearer, sqlite_runtime

TENANT, OTHER = "1671", "3674"
SEKDA = "196203151988031002"
KADIS = "196501011990031001"
AGENCY = "197501012000011001"  # BPKAD's token subject: the agency subscribing to webhooks
SITI_EMAIL = "siti.aminah@palembang.go.id"
ATASAN = {SITI: BUDI, BUDI: KADIS, KADIS: SEKDA, RINA: SEKDA}
PEOPLE = {"siti": SITI, "budi": BUDI, "kadis": KADIS, "sekda": SEKDA, "rina": RINA, "admin": ADMIN, "agency": AGENCY}
SERVICES = ("planning", "evaluation", "rewards", "notifications")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
BEHAVIOUR_LOW = {value.value: "di_bawah_ekspektasi" for value in BerakhlakValue}
BEHAVIOUR_OK = dict.fromkeys(BEHAVIOUR_LOW, "sesuai_ekspektasi")


def callers(subject: str) -> dict[str, tuple[str, str]]:
    """The caller, as (NIP, instansi), for each relation to a record of `subject` that exists."""
    if subject == "instansi":
        return {"colleague": (RINA, TENANT), "other": (RINA, OTHER)}
    if subject == "self":
        return {"own": (SITI, TENANT), "other": (SITI, OTHER)}
    if subject == "agency":
        return {"own": (AGENCY, TENANT), "colleague": (RINA, TENANT), "other": (AGENCY, OTHER)}
    own = PEOPLE[subject]
    chain = [own, ATASAN.get(own), ATASAN.get(ATASAN.get(own, ""))]
    assert RINA not in chain, "the colleague is related to no one"
    found = {relation: (nip, TENANT) for relation, nip in zip(("own", "sub", "sub2"), chain, strict=True) if nip}
    return {**found, "colleague": (RINA, TENANT), "other": (own, OTHER)}


@dataclass
class Service:
    name: str
    runtime: ServiceRuntime
    client: FlaskClient
    db: Path
    snapshot: Path = field(init=False)

    def freeze(self) -> None:
        """Keep the seeded database, to go back to after every request that changed it."""
        self.runtime.engine.dispose()
        with sqlite3.connect(self.db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.snapshot = self.db.with_suffix(".seeded")
        shutil.copyfile(self.db, self.snapshot)

    def restore(self) -> None:
        self.runtime.engine.dispose()
        for extra in ("-wal", "-shm"):
            Path(f"{self.db}{extra}").unlink(missing_ok=True)
        shutil.copyfile(self.snapshot, self.db)

    def digest(self) -> str:
        """Every row of every table: equal digests, nothing stored or changed."""
        hasher = blake2b(digest_size=16)
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as conn:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
            for table in tables:
                hasher.update(table.encode())
                for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):  # noqa: S608 - names from the schema
                    hasher.update(repr(row).encode())
        conn.close()
        return hasher.hexdigest()

    def outbox(self) -> list[Envelope]:
        table = self.runtime.tables.outbox
        with self.runtime.engine.connect() as conn:
            values = conn.execute(select(table.c.value).order_by(table.c.id)).scalars().all()
        return [CATALOG.read(Envelope.from_json(v)) for v in values]

    def call(self, method: str, url: str, nip: str, *roles: str, tenant: str = TENANT, **kwargs: Any) -> Any:
        headers = bearer(self.runtime, nip, roles or ("pegawai",), tenant)
        return self.client.open(url, method=method, headers=headers, **kwargs)


@dataclass
class World:
    services: dict[str, Service]
    facts: dict[str, str]


def feed(service: Service, envelopes: list[Envelope], handlers: Mapping[str, Callable[..., None]]) -> None:
    """Hand each event the service consumes to its handler, one committed transaction each."""
    for envelope in envelopes:
        if envelope.event_type in handlers:
            with service.runtime.uow() as uow:
                handlers[envelope.event_type](uow, envelope)
                uow.commit()


def made(event_type: str, payload: dict[str, Any], aggregate_id: str) -> Envelope:
    return CATALOG.read(
        Envelope.new(
            event_type=event_type,
            schema_version=CATALOG.latest(event_type).version,
            producer="evaluation",
            tenant=TENANT,
            aggregate_id=aggregate_id,
            aggregate_version=1,
            payload=payload,
            correlation_id="access-matrix",
            occurred_at=datetime.now(UTC),
        )
    )


def ok(response: Any, *statuses: int) -> Any:
    expected = statuses or range(200, 300)
    assert response.status_code in expected, (response.status_code, response.get_json())
    return response.get_json()


# --- planning -----------------------------------------------------------------------------------


def seed_planning(svc: Service, facts: dict[str, str]) -> None:
    api = PlanningApi(svc.client, svc.runtime)
    units = [
        {"unit_id": "SETDA", "name": "Sekretariat Daerah"},
        {"unit_id": "DINKES", "name": "Dinas Kesehatan", "parent_unit_id": "SETDA"},
        {"unit_id": "PKM", "name": "Puskesmas Sukarami", "parent_unit_id": "DINKES", "serves_public": True},
        {"unit_id": "DISDIK", "name": "Dinas Pendidikan", "parent_unit_id": "SETDA"},
    ]
    for unit in units:
        register(api, "units", unit)
    people = [
        employee(SEKDA, "Sekretaris Daerah", "SETDA", "jpt", None, head=True),
        employee(KADIS, "Kepala Dinas Kesehatan", "DINKES", "jpt", SEKDA, head=True),
        employee(BUDI, "Budi Santoso", "PKM", "administrator", KADIS, head=True),
        {**employee(SITI, "Siti Aminah", "PKM", "pelaksana", BUDI), "email": SITI_EMAIL},
        employee(RINA, "Rina Wati", "DISDIK", "pelaksana", SEKDA),
    ]
    for person in people:
        register(api, "employees", person)

    def siti_plan(year: int) -> dict[str, Any]:
        budi = ok(draft(api, BUDI, [rhk("Meningkatnya layanan kesehatan dasar")], period_year=year))
        siti = ok(draft(api, SITI, [rhk("Pelayanan pasien umum", budi["rhk"][0]["rhk_id"])], period_year=year))
        facts[f"budi_rhk_{year}"] = budi["rhk"][0]["rhk_id"]
        return siti

    def step(method: str, skp_id: str, action: str, nip: str, *roles: str, **kwargs: Any) -> Any:
        return ok(api.call(method, f"/api/v1/skp/{skp_id}/{action}", nip, *roles, **kwargs))

    # One plan of Siti's per state, a year each: draft, approved with realisasi, submitted, amendment pending.
    facts["skp_draft"] = siti_plan(2025)["skp_id"]
    approved = siti_plan(2026)
    facts["skp_approved"] = approved["skp_id"]
    facts["iki_approved"] = approved["rhk"][0]["iki"][0]["iki_id"]
    step("POST", approved["skp_id"], "submit", SITI)
    step("POST", approved["skp_id"], "approve", BUDI, "atasan")
    upload = {"file": (io.BytesIO(PDF), "bukti.pdf")}
    evidence = ok(api.client.post(f"/api/v1/skp/{approved['skp_id']}/evidence", data=upload, headers=api.auth(SITI)))
    facts["evidence_file"] = evidence["file_id"]
    progress = {"quarter": 1, "iki_id": facts["iki_approved"], "value": 300, "evidence_file_ids": [evidence["file_id"]]}
    step("POST", approved["skp_id"], "realisasi", SITI, json=progress)
    submitted = siti_plan(2027)
    facts["skp_submitted"] = submitted["skp_id"]
    step("POST", submitted["skp_id"], "submit", SITI)
    amending = siti_plan(2028)
    facts["skp_amending"] = amending["skp_id"]
    step("POST", amending["skp_id"], "submit", SITI)
    step("POST", amending["skp_id"], "approve", BUDI, "atasan")
    change = {"reason": "Target disesuaikan dengan APBD perubahan.", "rhk": amending["rhk"]}
    step("POST", amending["skp_id"], "amendments", SITI, json=change)
    # The calendar: quarter IV of 2026 closed (to be reopened); a unit target of the puskesmas.
    ok(api.call("POST", "/api/v1/periods/2026/quarters/4/close", ADMIN, "admin_instansi", json={}))
    target = {"unit_id": "PKM", "period_year": 2026, "code": "waktu-tunggu", "indicator": "Waktu tunggu"}
    ok(api.call("PUT", "/api/v1/unit-targets", ADMIN, "admin_instansi", json={**target, "target": 30, "unit": "menit"}))


# --- evaluation ---------------------------------------------------------------------------------


def seed_evaluation(svc: Service, facts: dict[str, str]) -> None:
    def post(url: str, nip: str, *roles: str, body: dict[str, Any]) -> Any:
        return ok(svc.call("POST", url, nip, *roles, json=body))

    year = {"period_year": 2026}
    post("/api/v1/assessments", SITI, body={"nip": SITI, **year, "source": "mandiri", "behaviour": BEHAVIOUR_OK})
    post(
        "/api/v1/assessments",
        BUDI,
        "atasan",
        body={"nip": SITI, **year, "source": "atasan", "behaviour": BEHAVIOUR_LOW},
    )
    annual = post("/api/v1/evaluations", BUDI, "pegawai", "atasan", body={"nip": SITI, **year, "period": "annual"})
    quarter = post("/api/v1/evaluations", BUDI, "pegawai", "atasan", body={"nip": SITI, **year, "period": "Q1"})
    facts["eval_appealed"], facts["eval_q1"] = annual["evaluation_id"], quarter["evaluation_id"]
    appeal = {"reason": "Realisasi triwulan I belum diperhitungkan."}
    post(f"/api/v1/evaluations/{annual['evaluation_id']}/appeal", SITI, body=appeal)
    close = post("/api/v1/periods/2026/Q2/close", BUDI, "pegawai", "atasan", body={})
    facts["close_id"] = close["close_id"]
    predikat = {**year, "period": "annual", "predikat": "baik"}
    post("/api/v1/units/PKM/organisation-predikat", KADIS, "pegawai", "atasan", body=predikat)


# --- rewards ------------------------------------------------------------------------------------


def earlier_evaluation(year: int, predikat: str) -> Envelope:
    """Siti's annual result of an earlier year, as evaluation announced it."""
    payload = {
        "evaluation_id": f"eval-{SITI}-{year}-annual",
        "nip": SITI,
        "employee_name": "Siti Aminah",
        "atasan_nip": BUDI,
        "unit": "Puskesmas Sukarami",
        "period_year": year,
        "period": "annual",
        "rating_hasil_kerja": "di_bawah_ekspektasi",
        "rating_perilaku_kerja": "sesuai_ekspektasi",
        "predikat": predikat,
        "breakdown": [],
        "explanation": ["contoh"],
        "weaknesses": [],
    }
    return made("evaluation.completed", payload, payload["evaluation_id"])


def seed_rewards(svc: Service, facts: dict[str, str]) -> None:
    facts["coaching_active"] = f"coaching-eval-{SITI}-2025-annual"
    facts["coaching_tested"] = f"coaching-eval-{SITI}-2024-annual"
    check_in = {"progress": "behind", "notes": "Belum ada kemajuan."}
    for coaching in (facts["coaching_active"], facts["coaching_tested"]):
        ok(svc.call("POST", f"/api/v1/coaching/{coaching}/check-ins", BUDI, "pegawai", "atasan", json=check_in))
    ok(
        svc.call(
            "POST",
            f"/api/v1/coaching/{facts['coaching_tested']}/close",
            BUDI,
            "pegawai",
            "atasan",
            json={"outcome": "not_improved"},
        )
    )
    rewards = ok(svc.call("GET", f"/api/v1/decisions?nip={SITI}&kind=reward", ADMIN, "admin_instansi"), 200)
    facts["reward"] = rewards[0]["decision_id"]
    facts["policy"] = "palembang-2027.1"
    ok(svc.call("POST", "/api/v1/policies", ADMIN, "admin_instansi", json=policy_body(facts["policy"])))


def policy_body(version: str) -> dict[str, Any]:
    """A rewards policy version of the instansi's own: the default one, renamed, from 2027."""
    from services.rewards.adapters.policies import DEFAULT_DIR, load_policies, policy_document

    return {**policy_document(load_policies(DEFAULT_DIR).default), "version": version, "effective_from": "2027-01-01"}


# --- notifications ------------------------------------------------------------------------------


def subscribe(svc: Service, facts: dict[str, str]) -> None:
    """BPKAD subscribes before the events flow, so that deliveries to it exist."""
    body = {"url": "https://bpkad.example.go.id/kinerja", "event_types": ["plan.approved", "evaluation.completed"]}
    facts["webhook"] = ok(svc.call("POST", "/api/v1/webhooks", AGENCY, "agency", json=body))["subscription_id"]


def seed_notifications(svc: Service, facts: dict[str, str]) -> None:
    from services.notifications.adapters.tables import deliveries
    from services.notifications.bootstrap import create_dispatcher
    from services.notifications.settings import NotificationSettings, RetryPolicy, SmtpSettings
    from tests.unit.notifications.local_servers import free_port

    notices = ok(svc.call("GET", "/api/v1/notices", SITI), 200)
    facts["notice"] = notices[0]["notice_id"]
    # E-mail to a server that is not there, with one attempt: Siti's mails fail, visibly, re-sendable.
    dead = NotificationSettings(
        smtp=SmtpSettings(host="127.0.0.1", port=free_port(), starttls=False, timeout_s=2),
        email_retry=RetryPolicy(max_attempts=1),
    )
    create_dispatcher(svc.runtime, dead, webhooks=_Unreachable()).run_once()
    with svc.runtime.engine.connect() as conn:
        rows = conn.execute(select(deliveries).order_by(deliveries.c.delivery_id)).mappings().all()
    facts["delivery_failed"] = next(
        r["delivery_id"] for r in rows if r["channel"] == "email" and r["status"] == "failed"
    )
    facts["webhook_delivery"] = next(r["delivery_id"] for r in rows if r["subscription_id"] == facts["webhook"])
    campaign = {"kind": "announcement", "title_id": "Sosialisasi SKP 2027", "body_id": "Pengisian SKP dibuka."}
    facts["campaign"] = ok(svc.call("POST", "/api/v1/campaigns", ADMIN, "admin_instansi", json=campaign))["campaign_id"]


class _Unreachable:
    """A webhook receiver that is down: webhook deliveries wait for a retry, nothing leaves the test."""

    def send(self, url: str, secret: str, body: str, headers: dict[str, str]) -> Any:
        from services.notifications.adapters.transports import SendResult

        return SendResult(ok=False, transient=True, error="receiver unreachable")


# --- the world ----------------------------------------------------------------------------------


@contextmanager
def world(root: Path) -> Iterator[World]:
    """The four services on SQLite files, seeded, each database frozen for `Service.restore`."""
    import importlib

    with ExitStack() as stack:
        services: dict[str, Service] = {}
        handlers: dict[str, Mapping[str, Callable[..., None]]] = {}
        for name in SERVICES:
            folder = root / name
            folder.mkdir()
            runtime = stack.enter_context(sqlite_runtime(name, folder))
            bootstrap = importlib.import_module(f"services.{name}.bootstrap")
            services[name] = Service(name, runtime, bootstrap.create_app(runtime).test_client(), folder / "db.sqlite")
            handlers[name] = bootstrap.event_handlers(runtime)
        facts: dict[str, str] = {}
        planning, evaluation, rewards, notifications = (services[n] for n in SERVICES)
        subscribe(notifications, facts)
        seed_planning(planning, facts)
        planned = planning.outbox()
        for name in ("evaluation", "rewards", "notifications"):
            feed(services[name], planned, handlers[name])
        seed_evaluation(evaluation, facts)
        evaluated = evaluation.outbox()
        earlier = [earlier_evaluation(y, p) for y, p in ((2023, "baik"), (2024, "kurang"), (2025, "butuh_perbaikan"))]
        feed(rewards, earlier + evaluated, handlers["rewards"])
        seed_rewards(rewards, facts)
        feed(notifications, evaluated + rewards.outbox(), handlers["notifications"])
        seed_notifications(notifications, facts)
        facts.update(PEOPLE, unit="PKM")
        for service in services.values():
            service.freeze()
        yield World(services, facts)
