"""Composition root shared by the services: one place that wires settings, database, eventing
tables, unit of work, web app and worker for a service, so tests can build the same with other
settings (another database, another broker)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from flask_smorest import Blueprint
from sqlalchemy import Engine, MetaData
from sqlalchemy.orm import Session, sessionmaker

from shared.config import Settings
from shared.contracts import CATALOG, SERVICE_TOPICS
from shared.events import EventCatalog
from shared.gc_policy import settle_worker_heap
from shared.logs import configure_logging
from shared.messaging.consumer import Handler, IdempotentConsumer
from shared.messaging.kafka import create_producer
from shared.messaging.relay import OutboxRelay
from shared.messaging.worker import Worker
from shared.metrics import prepare_multiprocess_dir
from shared.storage import migrations
from shared.storage.database import create_db_engine, create_session_factory
from shared.storage.table_statistics import StatisticsKeeper
from shared.storage.tables import EventingTables
from shared.storage.unit_of_work import PublishHook, UnitOfWork
from shared.web import create_service_app
from shared.web.audit import create_audit_blueprint


@dataclass
class ServiceRuntime:
    settings: Settings
    metadata: MetaData
    tables: EventingTables
    versions_dir: Path
    engine: Engine = field(init=False)
    session_factory: sessionmaker[Session] = field(init=False)
    catalog: EventCatalog = CATALOG
    after_publish: PublishHook | None = None  # see UnitOfWork: a service acting on its own events

    def __post_init__(self) -> None:
        self.engine = create_db_engine(self.settings.database_url)
        self.session_factory = create_session_factory(self.engine)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(
            self.session_factory,
            self.tables,
            self.catalog,
            producer=self.settings.service,
            after_publish=self.after_publish,
        )

    def web_app(self, *, title: str, description: str, blueprints: Sequence[Blueprint]) -> Flask:
        # Every service offers its audit trail (GET /api/v1/audit) from its own event store.
        audit = create_audit_blueprint(self.uow, self.tables.event_store)
        return create_service_app(
            self.settings, title=title, description=description, engine=self.engine, blueprints=[*blueprints, audit]
        )

    def migrate(self) -> None:
        migrations.upgrade(self.engine, self.metadata, self.versions_dir, self.settings.service)

    def build_worker(self, handlers: Mapping[str, Handler]) -> Worker:
        service = self.settings.service
        producer = create_producer(self.settings.kafka_bootstrap_servers, client_id=f"kinerja-{service}")
        relay = OutboxRelay(
            self.engine, self.tables.outbox, producer, lock_name=service, batch_size=self.settings.relay_batch_size
        )
        consumer = None
        if handlers:
            consumer = IdempotentConsumer(
                name=f"kinerja-{service}",
                catalog=self.catalog,
                handlers=handlers,
                uow_factory=self.uow,
                dlq_producer=producer,
                max_attempts=self.settings.consumer_max_attempts,
                batch_size=self.settings.consumer_batch_size,
            )
        consumed = {self.catalog.topic_of(event_type) for event_type in handlers}
        produced = {SERVICE_TOPICS[service]}
        return Worker(
            self.settings,
            relay,
            producer,
            consumer,
            consumed_topics=consumed,
            produced_topics=produced,
            statistics=StatisticsKeeper(self.engine),
        )


@dataclass(frozen=True)
class CliCommand:
    """A service's own command next to web/worker/migrate, e.g. planning's `import-org`."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]  # adds the command's arguments
    run: Callable[[argparse.Namespace], int | None]  # returns the exit status (None: 0)


def run_service_cli(
    service: str,
    *,
    create_runtime: Callable[[], ServiceRuntime],
    create_app: Callable[[], Flask],
    handlers: Callable[[ServiceRuntime], Mapping[str, Handler]],
    argv: list[str] | None = None,
    commands: Sequence[CliCommand] = (),
) -> None:
    """`python -m services.<name> {web,worker,migrate,makemigration}` plus the service's own `commands`."""
    parser = argparse.ArgumentParser(prog=f"python -m services.{service}")
    sub = parser.add_subparsers(dest="command", required=True)
    web = sub.add_parser("web", help="serve the HTTP API with gunicorn")
    web.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
    web.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    sub.add_parser("worker", help="consume events and relay the outbox")
    sub.add_parser("migrate", help="upgrade the database schema to the newest version")
    make = sub.add_parser("makemigration", help="developers: write a revision for changed tables")
    make.add_argument("-m", "--message", required=True)
    extra = {command.name: command for command in commands}
    for command in commands:
        command.configure(sub.add_parser(command.name, help=command.help))
    args = parser.parse_args(argv)
    configure_logging(service)
    prepare_multiprocess_dir()  # one process role per container: start from empty metric files

    if args.command in extra:
        status = extra[args.command].run(args)
        if status:
            sys.exit(status)
    elif args.command == "migrate":
        create_runtime().migrate()
    elif args.command == "makemigration":
        # Compare the tables with a scratch database at the newest revision.
        with tempfile.TemporaryDirectory() as scratch:
            os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/schema.db"
            runtime = create_runtime()
            runtime.migrate()
            migrations.autogenerate(runtime.engine, runtime.metadata, runtime.versions_dir, service, args.message)
    elif args.command == "worker":
        runtime = create_runtime()
        worker = runtime.build_worker(handlers(runtime))
        worker.install_signal_handlers()
        settle_worker_heap(runtime.settings.worker_gc_thresholds)  # this process only: not in-process test workers
        worker.run()
    else:
        # gunicorn replaces this process; it imports the app factory in its workers.
        gunicorn = Path(sys.executable).with_name("gunicorn")
        os.environ.setdefault("KINERJA_SERVICE", service)  # read by shared.gunicorn_conf for its JSON logs
        os.execv(
            str(gunicorn),
            [
                str(gunicorn),
                "--config",
                "python:shared.gunicorn_conf",
                "--bind",
                args.bind,
                "--workers",
                str(args.workers),
                "--graceful-timeout",
                "20",
                "--access-logfile",
                "-",
                f"services.{service}.bootstrap:create_app()",
            ],
        )
