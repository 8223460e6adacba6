"""`make run`: the whole system on this machine, on embedded defaults.

Starts a Kafka broker (KRaft, jars from Maven Central, data under var/kafka), then for each
service its migration, web process and worker on a SQLite file under var/, and prints where each
API is. Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from deploy.local.kafka_broker import KafkaBroker
from deploy.local.stack import REPO, SERVICES, LocalStack, StackError

DEFAULT_PORTS = {"planning": 8001, "evaluation": 8002, "rewards": 8003, "notifications": 8004}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.local.run", description=__doc__)
    parser.add_argument("--var-dir", type=Path, default=REPO / "var", help="state: databases, broker data, logs")
    parser.add_argument("--kafka-port", type=int, default=int(os.environ.get("KAFKA_PORT", "9092")))
    parser.add_argument(
        "--base-port",
        type=int,
        default=int(os.environ.get("BASE_PORT", "8001")),
        help="planning gets this port, evaluation the next, and so on",
    )
    args = parser.parse_args(argv)
    var = args.var_dir.resolve()
    ports = {name: args.base_port + i for i, name in enumerate(SERVICES)}
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    print(f"Starting Kafka (KRaft) on 127.0.0.1:{args.kafka_port} ...", flush=True)
    with KafkaBroker(data_dir=var / "kafka", port=args.kafka_port, log_file=var / "logs" / "kafka.log") as broker:
        databases = {name: f"sqlite:///{var / f'{name}.db'}" for name in SERVICES}
        stack = LocalStack(
            kafka_bootstrap=broker.bootstrap_servers,
            database_urls=databases,
            ports=ports,
            log_dir=var / "logs",
            env={"KAFKA_TOPIC_PARTITIONS": "3"},
        )
        print("Starting planning, evaluation, rewards and notifications (web + worker each) ...", flush=True)
        try:
            stack.start()
        except StackError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        try:
            print("\nKinerja is running:")
            print(f"  Kafka          {broker.bootstrap_servers}")
            for name in SERVICES:
                print(
                    f"  {name:<14} {stack.url(name)}   (API docs: {stack.url(name)}/docs, "
                    f"spec: {stack.url(name)}/openapi.json)"
                )
            print(f"  logs           {var / 'logs'}")
            print("\nA token for trying the APIs:")
            print("  .venv/bin/python -m shared.auth mint --nip 198503302010011002 --roles pegawai --tenant 1671")
            print("Ctrl-C stops everything.", flush=True)
            stop.wait()
        finally:
            print("\nStopping ...", flush=True)
            stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
