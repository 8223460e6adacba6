"""The SKP's whole year through planning's API on PostgreSQL, its events relayed from the outbox
to a real Kafka topic and read back there: a top official's plan, a cascaded plan returned,
revised and approved, evidence uploaded, realisasi and feedback, a closed quarter, an amendment."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator

import pytest

from services.planning.adapters.tables import MIGRATIONS, eventing, metadata
from shared.config import Settings
from shared.contracts import CATALOG
from shared.events import Envelope
from shared.runtime import ServiceRuntime
from tests.integration.kafka_tools import catalog_on_topics, fresh_topic, read_all, relay_all
from tests.unit.planning.fixtures import ADMIN, BUDI, SITI, PlanningApi, draft, iki, registered_organisation, rhk

pytestmark = pytest.mark.integration
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def planning(postgres, kafka_bootstrap) -> Iterator[tuple[PlanningApi, str]]:
    topic = fresh_topic(kafka_bootstrap, "planning-skp", partitions=3)
    catalog = catalog_on_topics({CATALOG.topic_of("plan.approved"): topic})
    settings = dataclasses.replace(Settings.from_env("planning"), database_url=postgres.new_database("planning_skp"))
    runtime = ServiceRuntime(settings, metadata, eventing, MIGRATIONS, catalog)
    runtime.migrate()
    yield registered_organisation(runtime), topic
    runtime.engine.dispose()


def test_a_plans_year_on_postgresql_reaches_the_topic(planning, kafka_bootstrap) -> None:
    api, topic = planning
    budi = draft(api, BUDI, [rhk("Layanan kesehatan dasar", perspective="penerima_layanan")]).json
    skp = draft(api, SITI, [rhk("Pelayanan pasien", budi["rhk"][0]["rhk_id"])], annex={"konsekuensi": ["Teguran"]})
    skp_id = skp.json["skp_id"]
    api.call("POST", f"/api/v1/skp/{skp_id}/submit", SITI)
    api.call("POST", f"/api/v1/skp/{skp_id}/return", BUDI, "atasan", json={"reason": "Target belum terukur"})
    first = skp.json["rhk"][0]
    revised = [{**first, "iki": [{**iki(), "iki_id": first["iki"][0]["iki_id"], "target": 1400}]}]
    assert api.call("POST", f"/api/v1/skp/{skp_id}/revise", SITI, json={"rhk": revised}).status_code == 200
    api.call("POST", f"/api/v1/skp/{skp_id}/submit", SITI)
    approved = api.call("POST", f"/api/v1/skp/{skp_id}/approve", BUDI, "atasan").json
    iki_id = approved["rhk"][0]["iki"][0]["iki_id"]

    upload = api.client.post(
        f"/api/v1/skp/{skp_id}/evidence",
        data={"file": (io.BytesIO(PDF), "daftar hadir.pdf")},
        headers=api.auth(SITI),
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.json
    file_id = upload.json["file_id"]
    report = {"quarter": 1, "iki_id": iki_id, "value": 350, "evidence_file_ids": [file_id]}
    assert api.call("POST", f"/api/v1/skp/{skp_id}/realisasi", SITI, json=report).status_code == 200
    feedback = {"quarter": 1, "iki_id": iki_id, "feedback": "Bagus, pertahankan."}
    assert (
        api.call("POST", f"/api/v1/skp/{skp_id}/realisasi/feedback", BUDI, "atasan", json=feedback).status_code == 200
    )
    api.call("POST", "/api/v1/periods/2026/quarters/1/close", ADMIN, "admin_instansi", json={})
    late = api.call("POST", f"/api/v1/skp/{skp_id}/realisasi", SITI, json={**report, "value": 400})
    assert late.json["error"]["code"] == "quarter_closed"
    amendment = {"rhk": revised, "reason": "Anggaran perubahan"}
    api.call("POST", f"/api/v1/skp/{skp_id}/amendments", SITI, json=amendment)
    assert api.call("POST", f"/api/v1/skp/{skp_id}/amendments/approve", BUDI, "atasan").json["amendment_no"] == 1

    download = api.client.get(f"/api/v1/skp/{skp_id}/evidence/{file_id}", headers=api.auth(BUDI, "atasan"))
    assert download.data == PDF  # bytes survive PostgreSQL's bytea
    tree = api.call("GET", f"/api/v1/skp/{budi['skp_id']}/cascade", BUDI).json
    assert [c["nip"] for c in tree["rhk"][0]["children"]] == [SITI]
    team = api.call("GET", "/api/v1/skp/team?period_year=2026", BUDI, "atasan").json
    assert {m["nip"]: m["plan_status"] for m in team}[SITI] == "approved"

    sent = relay_all(api.runtime.engine, eventing.outbox, kafka_bootstrap)
    records = read_all(kafka_bootstrap, topic, expected=sent)
    envelopes = [Envelope.from_json(r.value) for r in records]
    plan_events = [e for e in envelopes if e.aggregate_id == skp_id]
    assert sorted(e.event_type for e in plan_events) == sorted(
        [
            "plan.submitted",
            "plan.returned",
            "plan.submitted",
            "plan.approved",
            "progress.reported",
            "realisasi.feedback_given",
            "plan.amended",
        ]
    )
    assert {r.key for r in records if Envelope.from_json(r.value).aggregate_id == skp_id} == {SITI.encode()}
    for envelope in plan_events:  # what is on the wire is what the contract says
        CATALOG.validate_payload(envelope.event_type, envelope.schema_version, envelope.payload)
    by_type = {e.event_type: e.payload for e in plan_events}
    assert by_type["plan.approved"]["rhk"][0]["iki"][0]["target"] == 1400
    assert by_type["plan.approved"]["annex"]["konsekuensi"] == ["Teguran"]
    assert by_type["progress.reported"]["evidence_files"][0]["filename"] == "daftar hadir.pdf"
    assert by_type["plan.amended"]["reason"] == "Anggaran perubahan"
