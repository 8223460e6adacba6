"""The real rewards worker (its handlers, idempotent consumer, outbox relay and Worker loop) on fresh
topics, a private consumer group and its own PostgreSQL database — run as a process by the fault
tests so that it can be killed (SIGKILL) or cut off from its broker or database.

    python -m tests.reliability.rewards_worker INBOUND OUTBOUND GROUP DATABASE_URL BOOTSTRAP
"""

from __future__ import annotations

import dataclasses
import faulthandler
import signal
import sys

from services.rewards.bootstrap import create_runtime, event_handlers
from shared.config import Settings
from shared.contracts import CATALOG
from shared.logs import configure_logging
from shared.messaging.consumer import IdempotentConsumer
from shared.messaging.kafka import create_producer
from shared.messaging.relay import OutboxRelay
from shared.messaging.worker import Worker
from shared.runtime import ServiceRuntime
from tests.integration.kafka_tools import catalog_on_topics


def runtime_for(database_url: str, bootstrap: str, inbound: str, outbound: str) -> ServiceRuntime:
    settings = dataclasses.replace(
        Settings.from_env("rewards"),
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap,
        topic_partitions=3,
        metrics_port=0,
    )
    runtime = create_runtime(settings)
    runtime.catalog = catalog_on_topics({CATALOG.topic_of("reward.granted"): outbound}, others=inbound)
    return runtime


def main(inbound: str, outbound: str, group: str, database_url: str, bootstrap: str) -> None:
    configure_logging("rewards-fault-test")
    faulthandler.register(signal.SIGUSR1)  # a test that finds it stuck asks for its threads' stacks
    runtime = runtime_for(database_url, bootstrap, inbound, outbound)
    producer = create_producer(bootstrap, client_id=group)
    relay = OutboxRelay(runtime.engine, runtime.tables.outbox, producer, lock_name=group, batch_size=200)
    consumer = IdempotentConsumer(
        name=group,
        catalog=runtime.catalog,
        handlers=event_handlers(runtime),
        uow_factory=runtime.uow,
        dlq_producer=producer,
        max_attempts=3,
    )
    worker = Worker(runtime.settings, relay, producer, consumer, consumed_topics=[inbound], produced_topics=[outbound])
    worker.install_signal_handlers()
    worker.run()
    runtime.engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:6])
