"""Each service's migrations build exactly the tables its code declares, on PostgreSQL, and
can be rolled back and applied again."""

from __future__ import annotations

import dataclasses
import importlib

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from shared.config import Settings
from shared.storage.migrations import alembic_config

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("service", ["planning", "evaluation", "rewards", "notifications"])
def test_migrations_match_the_tables_and_round_trip(service: str, postgres) -> None:
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    settings = dataclasses.replace(Settings.from_env(service), database_url=postgres.new_database(f"mig_{service}"))
    runtime = bootstrap.create_runtime(settings)
    try:
        runtime.migrate()
        with runtime.engine.connect() as conn:
            drift = compare_metadata(
                MigrationContext.configure(
                    conn, opts={"compare_type": True, "version_table": f"alembic_version_{service}"}
                ),
                runtime.metadata,
            )
        assert drift == []
        assert {"event_store", "outbox", "processed_events"} <= set(inspect(runtime.engine).get_table_names())

        config = alembic_config(runtime.engine, runtime.metadata, runtime.versions_dir, service)
        with runtime.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
        assert set(inspect(runtime.engine).get_table_names()) <= {f"alembic_version_{service}"}
        runtime.migrate()
        assert set(runtime.metadata.tables) <= set(inspect(runtime.engine).get_table_names())
    finally:
        runtime.engine.dispose()
