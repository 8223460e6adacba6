"""The operator CLI against the real broker (topics, lag, dead letters) and a service database
(outbox status, projection rebuild). Every topic and group here is fresh: never the real names."""

from __future__ import annotations

import json
import uuid

import pytest
from kafka import KafkaConsumer
from kafka.structs import OffsetAndMetadata, TopicPartition
from sqlalchemy import delete, select, update

from deploy import ops
from deploy.topics import DAY_MS, TopicSpec
from services.planning.adapters.tables import rhk_link, skp_view
from shared.messaging.kafka import create_producer
from tests.integration.kafka_tools import fresh_topic, read_all
from tests.unit.planning.fixtures import BUDI, SITI, draft, planning_api, rhk


def _fresh_name(prefix: str) -> str:
    return f"test.{prefix}.{uuid.uuid4().hex[:10]}"


@pytest.mark.integration
def test_topics_are_provisioned_with_partitions_and_retention_idempotently(kafka_bootstrap):
    name = _fresh_name("ops-topics")
    plan = [
        TopicSpec(name, 3, 7 * DAY_MS, "planning"),
        TopicSpec(f"{name}.dlq", 3, 90 * DAY_MS, "*", dead_letter_of=name),
    ]
    assert [r["action"] for r in ops.provision_topics(kafka_bootstrap, plan)] == ["created", "created"]
    assert [r["action"] for r in ops.provision_topics(kafka_bootstrap, plan)] == ["exists", "exists"]

    status = {row["topic"]: row for row in ops.topics_status(kafka_bootstrap, plan)}
    assert status[name]["partitions"] == 3
    assert status[name]["retention_ms"] == str(7 * DAY_MS)
    assert status[f"{name}.dlq"]["retention_ms"] == str(90 * DAY_MS)

    grown = [TopicSpec(name, 5, 7 * DAY_MS, "planning")]
    assert ops.provision_topics(kafka_bootstrap, grown)[0]["action"] == "grown 3->5"
    assert ops.topics_status(kafka_bootstrap, grown)[0]["partitions"] == 5


@pytest.mark.integration
def test_lag_is_end_offset_minus_committed_per_partition(kafka_bootstrap):
    topic = fresh_topic(kafka_bootstrap, "ops-lag", partitions=1)
    group = f"ops-lag-{uuid.uuid4().hex[:8]}"
    producer = create_producer(kafka_bootstrap, client_id="ops-test")
    for i in range(5):
        producer.send(topic, key=b"k", value=f"{i}".encode())
    producer.flush(timeout=30)
    producer.close(timeout=10)
    consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=group, enable_auto_commit=False)
    consumer.commit({TopicPartition(topic, 0): OffsetAndMetadata(2, "", -1)})
    consumer.close()

    (row,) = [r for r in ops.group_lag(kafka_bootstrap, [group]) if r["topic"] == topic]
    assert (row["committed"], row["end"], row["lag"]) == (2, 5, 3)
    missing = ops.group_lag(kafka_bootstrap, [f"nobody-{uuid.uuid4().hex[:6]}"])
    assert missing[0]["lag"] is None


@pytest.mark.integration
def test_dead_letters_are_listed_and_replayed_once_to_their_source(kafka_bootstrap):
    topic = fresh_topic(kafka_bootstrap, "ops-dlq")
    producer = create_producer(kafka_bootstrap, client_id="ops-test")
    values = []
    for i in range(3):
        value = json.dumps({"event_id": f"evt-{i}", "event_type": "plan.returned", "payload": {}}).encode()
        values.append(value)
        headers = [
            ("event_type", b"plan.returned"),
            ("dlq.source.topic", topic.encode()),
            ("dlq.source.partition", b"0"),
            ("dlq.source.offset", str(i).encode()),
            ("dlq.consumer", b"kinerja-evaluation"),
            ("dlq.error", b"handler failed: KeyError: 'x'"),
            ("dlq.attempts", b"3"),
        ]
        producer.send(f"{topic}.dlq", key=f"nip-{i}".encode(), value=value, headers=headers)
    producer.flush(timeout=30)

    listed = ops.dlq_list(kafka_bootstrap, topic)
    assert sorted(r["event_id"] for r in listed) == ["evt-0", "evt-1", "evt-2"]
    assert {r["error"] for r in listed} == {"handler failed: KeyError: 'x'"}
    assert {r["consumer"] for r in listed} == {"kinerja-evaluation"}

    assert len(ops.dlq_replay(kafka_bootstrap, topic, dry_run=True)) == 3
    assert read_all(kafka_bootstrap, topic, expected=0, timeout_s=3) == []  # a dry run sends nothing

    only = ops.dlq_replay(kafka_bootstrap, topic, event_ids=["evt-1"], producer=producer)
    assert [r["event_id"] for r in only] == ["evt-1"]
    replayed = ops.dlq_replay(kafka_bootstrap, topic, producer=producer)
    assert len(replayed) == 3  # a selective replay does not move the mark
    assert ops.dlq_replay(kafka_bootstrap, f"{topic}.dlq", producer=producer) == []  # nothing new: once

    records = read_all(kafka_bootstrap, topic, expected=4)
    assert len(records) == 4
    for record in records:
        headers = dict(record.headers)
        assert record.value in values
        assert record.key == f"nip-{values.index(record.value)}".encode()  # original key: same partition order
        assert not any(k.startswith("dlq.") and k != "dlq.replayed_from" for k in headers)
        assert headers["dlq.replayed_from"].decode().startswith(f"{topic}.dlq-")
    producer.close(timeout=10)


@pytest.fixture
def planning_db(tmp_path, monkeypatch):
    for api in planning_api(tmp_path):
        monkeypatch.setenv("DATABASE_URL", api.runtime.settings.database_url)
        budi = draft(api, BUDI, [rhk("Layanan kesehatan dasar", perspective="penerima_layanan")]).json
        created = draft(api, SITI, [rhk("Pelayanan pasien", budi["rhk"][0]["rhk_id"])])
        assert created.status_code == 201, created.json
        skp_id = created.json["skp_id"]
        assert api.call("POST", f"/api/v1/skp/{skp_id}/submit", SITI).status_code == 200
        approved = api.call("POST", f"/api/v1/skp/{skp_id}/approve", BUDI, "pegawai", "atasan")
        assert approved.status_code == 200, approved.json
        yield api.runtime, skp_id


def test_outbox_status_counts_the_unpublished_rows(planning_db):
    runtime, _ = planning_db
    status = ops.outbox_status("planning")
    assert status["backlog"] >= 2  # submitted and approved, nothing relayed here
    assert status["oldest_unpublished_age_s"] >= 0
    with runtime.engine.begin() as conn:  # what the relay does once the broker has the rows
        conn.execute(delete(runtime.tables.outbox))
    after = ops.outbox_status("planning")
    assert after["backlog"] == 0
    assert after["oldest_unpublished_at"] is None


def test_rebuild_restores_the_skp_view_from_the_event_store(planning_db):
    runtime, skp_id = planning_db

    def snapshot() -> tuple[dict, list[dict]]:
        with runtime.engine.connect() as conn:
            row = dict(conn.execute(select(skp_view).where(skp_view.c.skp_id == skp_id)).mappings().one())
            links = [dict(r) for r in conn.execute(select(rhk_link).order_by(rhk_link.c.rhk_id)).mappings()]
        row.pop("updated_at")
        return row, links

    before = snapshot()
    assert before[0]["status"] == "approved"
    with runtime.engine.begin() as conn:  # a projection gone wrong: a stale status, lost links
        conn.execute(update(skp_view).values(status="draft"))
        conn.execute(delete(rhk_link))

    results = ops.rebuild_projections("planning", ["skp_view"])
    assert results == [{"projection": "skp_view", "aggregates": 2, "events": results[0]["events"]}]
    assert results[0]["events"] >= 3
    assert snapshot() == before

    with pytest.raises(SystemExit, match="unknown projection"):
        ops.rebuild_projections("planning", ["nope"])


def test_cli_prints_json(planning_db, capsys):
    assert ops.main(["--service", "planning", "--json", "outbox"]) == 0
    assert json.loads(capsys.readouterr().out)["service"] == "planning"
    assert ops.main(["--service", "planning", "rebuild"]) == 0
    out = capsys.readouterr().out
    assert "skp_view" in out
    assert "unit_target_view" in out
