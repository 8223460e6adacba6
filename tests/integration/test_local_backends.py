"""Smoke tests of the session harness against the real Kafka and PostgreSQL it provides."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

if TYPE_CHECKING:
    from tests.conftest import DatabaseFactory

pytestmark = pytest.mark.integration


def test_kafka_round_trip_keyed_messages(kafka_bootstrap: str) -> None:
    topic = f"smoke-{uuid.uuid4().hex[:12]}"
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap, client_id="smoke-admin")
    try:
        admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        admin.close()

    sent = [(b"order-1", b"created"), (b"order-2", b"created"), (b"order-1", b"paid")]
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True)
    try:
        offsets = [producer.send(topic, key=k, value=v).get(timeout=30).offset for k, v in sent]
        producer.flush(timeout=30)
    finally:
        producer.close(timeout=10)
    assert offsets == [0, 1, 2]

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"smoke-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        consumer_timeout_ms=30_000,  # iteration ends if nothing arrives for 30 s
    )
    try:
        received = []
        for record in consumer:
            received.append((record.key, record.value))
            if len(received) == len(sent):
                break
        # Nothing beyond those three: the consumer is at the end of the partition.
        assert consumer.position(TopicPartition(topic, 0)) == len(sent)
    finally:
        consumer.close()
    assert received == sent


def test_new_databases_are_isolated(postgres: DatabaseFactory) -> None:
    first = postgres.new_database("smoke")
    second = postgres.new_database("smoke")
    assert first != second
    assert first.startswith("postgresql+psycopg://")

    engine_a, engine_b = sa.create_engine(first), sa.create_engine(second)
    try:
        with engine_a.begin() as conn:
            conn.execute(sa.text("CREATE TABLE outbox (id serial PRIMARY KEY, payload text NOT NULL)"))
            conn.execute(sa.text("INSERT INTO outbox (payload) VALUES ('hello')"))
        with engine_a.connect() as conn:
            assert conn.execute(sa.text("SELECT payload FROM outbox")).scalars().all() == ["hello"]
            assert conn.execute(sa.text("SELECT current_database()")).scalar() != (sa.make_url(second).database)
        assert "outbox" in sa.inspect(engine_a).get_table_names()
        assert sa.inspect(engine_b).get_table_names() == []
    finally:
        engine_a.dispose()
        engine_b.dispose()
