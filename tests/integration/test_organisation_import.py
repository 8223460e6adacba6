"""Import of a generated organisation of 10,000+ employees through planning's API, on PostgreSQL,
with its events relayed from the outbox to a real Kafka topic; re-import idempotent; changed rows
give the right events. Prints the time the import took (no timed assertion)."""

from __future__ import annotations

import dataclasses
import io
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from services.planning.adapters.tables import MIGRATIONS, eventing, metadata
from services.planning.bootstrap import create_app
from shared.config import Settings
from shared.contracts import CATALOG
from shared.events import Envelope
from shared.runtime import ServiceRuntime
from tests.integration.kafka_tools import catalog_on_topics, fresh_topic, read_all
from tests.integration.kafka_tools import relay_all as relay_outbox
from tests.unit.planning.organisation_factory import as_csv, organisation
from tests.unit.service_harness import bearer

pytestmark = pytest.mark.integration
EMPLOYEES = 10_000


@pytest.fixture
def planning(postgres, kafka_bootstrap) -> Iterator[tuple[ServiceRuntime, str]]:
    topic = fresh_topic(kafka_bootstrap, "organisation", partitions=6)
    # The real catalog, with planning's topic swapped for a fresh one.
    catalog = catalog_on_topics({CATALOG.topic_of("employee.registered"): topic})
    settings = dataclasses.replace(Settings.from_env("planning"), database_url=postgres.new_database("org_import"))
    runtime = ServiceRuntime(settings, metadata, eventing, MIGRATIONS, catalog)
    runtime.migrate()
    yield runtime, topic
    runtime.engine.dispose()


def relay_all(runtime: ServiceRuntime, bootstrap: str) -> int:
    return relay_outbox(runtime.engine, eventing.outbox, bootstrap, batch_size=2000)


def stored(runtime: ServiceRuntime) -> tuple[int, int]:
    with runtime.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (eventing.event_store, eventing.outbox)
        )


def upload(client, headers: dict[str, str], data: bytes) -> tuple[Any, float]:
    started = time.perf_counter()
    response = client.post(
        "/api/v1/organisation/import",
        data={"file": (io.BytesIO(data), "organisasi.csv")},
        headers=headers,
        content_type="multipart/form-data",
    )
    return response, time.perf_counter() - started


def test_a_city_of_ten_thousand_employees_imports_once_and_reimports_as_nothing(planning, kafka_bootstrap) -> None:
    runtime, topic = planning
    rows = organisation(EMPLOYEES)
    data = as_csv(rows)
    client = create_app(runtime).test_client()
    admin = bearer(runtime, rows[0]["nip"], ["admin_instansi"], "1671")

    response, took = upload(client, admin, data)
    print(
        f"\nimport of {len(rows)} employees ({len(data) / 1e6:.1f} MB CSV) through the API on PostgreSQL: {took:.1f} s"
    )
    assert response.status_code == 200, response.json
    report = response.json
    units = len({row["unit_id"] for row in rows})
    assert (report["rejected"], report["employees_registered"], report["units_registered"]) == ([], len(rows), units)
    assert report["events_published"] == len(rows) + units

    assert relay_all(runtime, kafka_bootstrap) == len(rows) + units
    records = read_all(kafka_bootstrap, topic, expected=len(rows) + units, timeout_s=120)
    envelopes = [Envelope.from_json(record.value) for record in records]
    assert Counter(e.event_type for e in envelopes) == {"employee.registered": len(rows), "unit.registered": units}
    by_nip = {
        e.payload["nip"]: (e, record.key.decode())
        for e, record in zip(envelopes, records, strict=False)
        if "nip" in e.payload
    }
    first, key = by_nip[rows[5]["nip"]]
    assert key == rows[5]["nip"]
    assert first.tenant == "1671"
    assert first.aggregate_id == f"employee:1671:{rows[5]['nip']}"
    assert CATALOG.read(first).payload["atasan_nip"] == rows[5]["atasan_nip"]
    assert first.payload["unit_name"] == rows[5]["unit_name"]

    before = stored(runtime)
    again, took_again = upload(client, admin, data)
    print(f"re-import of the same file: {took_again:.1f} s, {again.json['events_published']} events")
    assert again.status_code == 200
    assert (again.json["employees_unchanged"], again.json["events_published"]) == (len(rows), 0)
    assert stored(runtime) == before
    assert relay_all(runtime, kafka_bootstrap) == 0

    # Three changed rows: a move, a new atasan, a new name.
    changed = [dict(row) for row in rows]
    mover, newcomer_atasan, renamed = changed[10], changed[11], changed[12]
    mover.update(
        unit_id=changed[40]["unit_id"], unit_name=changed[40]["unit_name"], parent_unit_id=changed[40]["parent_unit_id"]
    )
    newcomer_atasan["atasan_nip"] = changed[0]["nip"]  # the Sekda
    renamed["name"] = "Nama Baru"
    response, _ = upload(client, admin, as_csv(changed))
    assert response.status_code == 200, response.json
    assert (response.json["employees_moved"], response.json["employees_atasan_changed"]) == (1, 1)
    assert response.json["employees_updated"] == 1
    assert relay_all(runtime, kafka_bootstrap) == 3
    latest = [Envelope.from_json(r.value) for r in read_all(kafka_bootstrap, topic, expected=len(records) + 3)]
    changes = {e.payload["nip"]: e for e in latest if e.event_type not in ("employee.registered", "unit.registered")}
    assert set(changes) == {mover["nip"], newcomer_atasan["nip"], renamed["nip"]}
    assert changes[mover["nip"]].event_type == "employee.moved"
    assert changes[mover["nip"]].payload["unit_id"] == changed[40]["unit_id"]
    assert changes[newcomer_atasan["nip"]].event_type == "employee.atasan_changed"
    assert changes[renamed["nip"]].payload["changed"] == ["name"]
