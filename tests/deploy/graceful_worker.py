"""A real shared Worker (consumer + outbox relay + metrics server) on a test topic and database,
run as its own process by test_graceful_shutdown: its handler records each event in an `effects`
table, slowly enough that a SIGTERM lands mid-stream.

    python -m tests.deploy.graceful_worker TOPIC GROUP DATABASE_URL BOOTSTRAP METRICS_PORT
"""

from __future__ import annotations

import dataclasses
import sys
import time

from sqlalchemy import Column, Integer, MetaData, String, Table, insert

from shared.config import Settings
from shared.contracts.planning import PlanReturnedV1
from shared.events import Envelope, EventCatalog, EventDefinition
from shared.logs import configure_logging
from shared.messaging.consumer import IdempotentConsumer
from shared.messaging.kafka import create_producer
from shared.messaging.relay import OutboxRelay
from shared.messaging.worker import Worker
from shared.storage.database import create_db_engine, create_session_factory
from shared.storage.tables import add_eventing_tables
from shared.storage.unit_of_work import UnitOfWork

HANDLER_DELAY_S = 0.01


def schema(metadata: MetaData) -> Table:
    return Table(
        "effects",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False),
    )


def main(topic: str, group: str, database_url: str, bootstrap: str, metrics_port: str) -> None:
    configure_logging("graceful-test")
    metadata = MetaData()
    tables = add_eventing_tables(metadata)
    effects = schema(metadata)
    engine = create_db_engine(database_url)
    metadata.create_all(engine)
    catalog = EventCatalog([EventDefinition("plan.returned", 1, PlanReturnedV1, topic, "nip", "test copy")])
    sessions = create_session_factory(engine)

    def handler(uow: UnitOfWork, envelope: Envelope) -> None:
        time.sleep(HANDLER_DELAY_S)
        uow.session.execute(insert(effects).values(event_id=envelope.event_id))

    settings = dataclasses.replace(
        Settings.from_env("graceful"),
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap,
        topic_partitions=3,
        metrics_port=int(metrics_port),
    )
    producer = create_producer(bootstrap, client_id="graceful-test")
    relay = OutboxRelay(engine, tables.outbox, producer, lock_name=group)
    consumer = IdempotentConsumer(
        name=group,
        catalog=catalog,
        handlers={"plan.returned": handler},
        uow_factory=lambda: UnitOfWork(sessions, tables, catalog, producer="graceful"),
        dlq_producer=producer,
        batch_size=settings.consumer_batch_size,
    )
    worker = Worker(settings, relay, producer, consumer, consumed_topics=[topic], produced_topics=[])
    worker.install_signal_handlers()
    worker.run()
    engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:6])
