"""The raw baseline on the same broker and database: bare kafka-python produce and consume of the
same number of messages (of the year-end's mean size), and the same number of rows written to
PostgreSQL, with no business logic — the floor of what the hardware and clients allow."""

from __future__ import annotations

import time
import uuid
from typing import Any

from kafka import KafkaConsumer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.record import _crc32c, util
from sqlalchemy import create_engine, text

from shared.messaging.kafka import create_producer


def kafka_round_trip(
    bootstrap: str, messages: int, size: int, partitions: int, consumed: int | None = None
) -> dict[str, Any]:
    """Produce `messages`, then consume `consumed` of them (all by default): a run produces more than
    it consumes itself (e.g. notice.delivered, read only by agencies)."""
    consumed = messages if consumed is None else min(consumed, messages)
    topic = f"bench.raw.{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(topic, partitions, 1)])
    admin.close()
    payload = (b'{"x":"' + b"a" * max(1, size - 8) + b'"}')[:size]
    # The services' producer settings (acks=all, idempotence, their record-batch size): the floor of
    # the same client doing the same sends, not of a differently tuned one.
    producer = create_producer(bootstrap, client_id="bench-raw")
    started = time.perf_counter()
    for n in range(messages):
        producer.send(topic, key=str(n).encode(), value=payload)
    producer.flush()
    produced_s = time.perf_counter() - started
    producer.close()
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"bench-raw-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    started = time.perf_counter()
    seen = 0
    while seen < consumed:
        for records in consumer.poll(timeout_ms=500, max_records=consumed - seen).values():
            seen += len(records)
        consumer.commit()
    consumed_s = time.perf_counter() - started
    consumer.close()
    return {
        "messages": messages,
        "consumed": seen,
        "bytes_each": size,
        "produce_s": round(produced_s, 3),
        "consume_s": round(consumed_s, 3),
        "produce_per_s": round(messages / produced_s),
        "consume_per_s": round(seen / consumed_s),
        # Figures before the native CRC-32C (the `crc32c` package) are 3-6x lower: not comparable.
        "crc32c": "pure-python" if util._crc32c is _crc32c.crc else "native",
    }


def postgres_rows(database_url: str, rows: int, size: int, batch: int = 500, method: str = "insert") -> dict[str, Any]:
    """Rows of the same size in transactions of `batch` rows (what a batching consumer can do):
    `insert`, one executemany per transaction (psycopg pipelines an INSERT per row), as the services
    wrote every row until fix 26; `copy`, one COPY per transaction, as they write a batch's inserts
    since (`shared/storage/bulk_insert.py`)."""
    engine = create_engine(database_url)
    value = "a" * size
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE raw_rows (id bigserial PRIMARY KEY, k text NOT NULL, v text NOT NULL)"))
    started = time.perf_counter()
    for start in range(0, rows, batch):
        with engine.begin() as conn:
            if method == "copy":
                with (
                    conn.connection.driver_connection.cursor() as cursor,
                    cursor.copy("COPY raw_rows (k, v) FROM STDIN") as copy,
                ):
                    for n in range(start, min(rows, start + batch)):
                        copy.write_row((str(n), value))
            else:
                conn.execute(
                    text("INSERT INTO raw_rows (k, v) VALUES (:k, :v)"),
                    [{"k": str(n), "v": value} for n in range(start, min(rows, start + batch))],
                )
    written_s = time.perf_counter() - started
    engine.dispose()
    return {
        "rows": rows,
        "bytes_each": size,
        "batch": batch,
        "method": method,
        "write_s": round(written_s, 3),
        "rows_per_s": round(rows / written_s),
    }
