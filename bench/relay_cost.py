"""The outbox relay's CPU per event: the real `OutboxRelay` and producer, on a filled outbox.

A year-end close of 10,000 employees relays about 87,000 outbox rows across the services. The relay
selects a batch in id order, hands each row to kafka-python, waits for every acknowledgement and
deletes the rows. This fills a scratch database's outbox with `--rows` events of `--size` bytes,
keyed like the close's (`--keys` distinct NIPs in turn; 0: every key distinct), drains it with
the services' relay and producer (`shared.messaging`), and prints the time and the process's CPU
per event. The CPU includes the producer's network thread. Not a test.

    python -m bench.relay_cost [--database-url URL] [--kafka-bootstrap HOST:PORT] [--rows 40000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid

from kafka.admin import KafkaAdminClient, NewTopic
from sqlalchemy import MetaData, create_engine, text

from bench import infra
from bench.outbox_drain import fill
from shared.messaging.kafka import create_producer
from shared.messaging.relay import OutboxRelay
from shared.storage.tables import add_eventing_tables


def drain_once(admin_url: str, bootstrap: str, topic: str, rows: int, size: int, keys: int) -> tuple[float, float]:
    """(seconds, CPU seconds) to relay `rows` events from a fresh outbox."""
    dbs = infra.Databases(admin_url)
    name = f"bench_relay_cost_{uuid.uuid4().hex[:8]}"
    engine = create_engine(dbs.create(name))
    producer = create_producer(bootstrap, client_id="bench-relay-cost")
    try:
        metadata = MetaData()
        outbox = add_eventing_tables(metadata).outbox
        metadata.create_all(engine, tables=[outbox])
        fill(engine, outbox, rows, '{"x": "' + "y" * max(0, size - 9) + '"}', published=False)
        key = "id::text" if keys == 0 else f"(199001012020011000 + id % {keys})::text"
        with engine.begin() as conn:
            conn.execute(text(f"UPDATE outbox SET topic = :topic, message_key = {key}"), {"topic": topic})  # noqa: S608
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE outbox"))  # as a relay finds it after autovacuum
        relay = OutboxRelay(engine, outbox, producer, lock_name="bench-relay-cost")
        cpu, started = time.process_time(), time.perf_counter()
        sent = 0
        while sent < rows:
            sent += relay.publish_pending()
        return time.perf_counter() - started, time.process_time() - cpu
    finally:
        producer.close(timeout=30)
        engine.dispose()
        dbs.drop(name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="an admin URL allowed to CREATE DATABASE")
    parser.add_argument("--kafka-bootstrap", default=None, help="an existing broker (default: a private one)")
    parser.add_argument("--rows", type=int, default=40_000)
    parser.add_argument("--size", type=int, default=1050, help="bytes per event (the year-end's mean)")
    parser.add_argument("--keys", type=int, default=10_000, help="distinct keys (0: every event its own)")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with infra.postgres(args.database_url) as admin_url, infra.kafka(args.kafka_bootstrap) as bootstrap:
        topic = f"bench.relay.{uuid.uuid4().hex[:8]}"
        admin = KafkaAdminClient(bootstrap_servers=bootstrap)
        admin.create_topics([NewTopic(topic, args.partitions, 1)])
        admin.close()
        drain_once(admin_url, bootstrap, topic, 1000, args.size, args.keys)  # the broker's first requests are slow
        cpu_per_row = []
        for _ in range(args.repeat):
            seconds, cpu = drain_once(admin_url, bootstrap, topic, args.rows, args.size, args.keys)
            cpu_per_row.append(cpu / args.rows * 1e6)
            rate, each = args.rows / seconds, cpu_per_row[-1]
            print(f"{args.rows} events of {args.size} B: {rate:7.0f} events/s, {each:5.1f} µs CPU each")
        print(f"median: {statistics.median(cpu_per_row):.1f} µs of relay CPU per event")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
