"""Producer CPU per event by record-batch size, sending the way the outbox relay does.

The relay hands kafka-python up to 500 events of ~1 KB, flushes and waits for every
acknowledgement. With kafka-python's default 16 KiB record batches, a batch fills every ~15 events
and each full batch wakes the sender thread and goes out as a produce request of its own. This
prints throughput and the producer process's CPU per event for each size, with the services'
producer settings otherwise (`shared.messaging.kafka.create_producer`); not a test.

    python -m bench.producer_batch [--kafka-bootstrap HOST:PORT] [--messages 30000] [--sizes 16384,262144]
"""

from __future__ import annotations

import argparse
import time
import uuid

from kafka.admin import KafkaAdminClient, NewTopic

from bench import infra
from shared.messaging.kafka import create_producer

RELAY_BATCH = 500  # rows the relay sends before it flushes (OutboxRelay's batch_size)


def measure(bootstrap: str, topic: str, batch_bytes: int, messages: int, size: int) -> dict[str, float]:
    producer = create_producer(bootstrap, client_id="bench-producer-batch", batch_size=batch_bytes)
    producer.send(topic, b"warm-up").get(timeout=30)  # metadata and the producer id first
    value = b"x" * size
    headers = [("event_type", b"evaluation.completed"), ("event_id", str(uuid.uuid4()).encode())]
    cpu, started = time.process_time(), time.perf_counter()
    for start in range(0, messages, RELAY_BATCH):
        futures = [
            producer.send(topic, key=str(n).encode(), value=value, headers=headers)
            for n in range(start, min(messages, start + RELAY_BATCH))
        ]
        producer.flush()
        for future in futures:
            future.get(timeout=30)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    producer.close()
    return {"msg_per_s": messages / elapsed, "cpu_us_per_msg": cpu / messages * 1e6}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kafka-bootstrap", default=None, help="an existing broker (default: a private one)")
    parser.add_argument("--messages", type=int, default=30_000)
    parser.add_argument("--size", type=int, default=1050, help="bytes per event (the year-end's mean)")
    parser.add_argument("--sizes", default="16384,65536,262144,1048576", help="record-batch sizes to compare")
    parser.add_argument("--partitions", type=int, default=4)
    args = parser.parse_args(argv)
    with infra.kafka(args.kafka_bootstrap) as bootstrap:
        topic = f"bench.producer.{uuid.uuid4().hex[:8]}"
        admin = KafkaAdminClient(bootstrap_servers=bootstrap)
        admin.create_topics([NewTopic(topic, args.partitions, 1)])
        admin.close()
        measure(bootstrap, topic, 16384, RELAY_BATCH * 4, args.size)  # the broker's first requests are slow
        for batch_bytes in (int(s) for s in args.sizes.split(",")):
            figures = measure(bootstrap, topic, batch_bytes, args.messages, args.size)
            print(
                f"batch {batch_bytes:>8} B: {figures['msg_per_s']:8.0f} msg/s, "
                f"{figures['cpu_us_per_msg']:5.1f} µs producer CPU per event"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
