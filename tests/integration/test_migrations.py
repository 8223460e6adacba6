"""Each service's migrations build exactly the tables its code declares, on PostgreSQL, and
can be rolled back and applied again."""

from __future__ import annotations

import dataclasses
import importlib
import json
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect, select, text

from shared.config import Settings
from shared.storage.compression_migrations import compressible_columns, lz4_available
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


def test_upgrading_the_outbox_keeps_only_the_rows_the_previous_relay_had_not_published(postgres) -> None:
    """Eventing v2: the relay deletes what it sent, so the outbox is what is still to send. Rows the
    previous release marked published go; the unpublished ones stay, in their order."""
    from services.planning import bootstrap

    settings = dataclasses.replace(Settings.from_env("planning"), database_url=postgres.new_database("mig_outbox"))
    runtime = bootstrap.create_runtime(settings)
    config = alembic_config(runtime.engine, runtime.metadata, runtime.versions_dir, "planning")
    outbox = runtime.tables.outbox
    try:
        with runtime.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0003_skp_depth")  # the release before
        now = datetime.now(UTC)
        rows = [
            {
                "event_id": f"00000000-0000-4000-8000-00000000000{n}",
                "topic": "kinerja.planning.events",
                "message_key": "198503302010011002",
                "event_type": "plan.submitted",
                "value": "{}",
                "created_at": now,
                "published_at": now if n % 2 else None,
            }
            for n in range(1, 5)
        ]
        with runtime.engine.begin() as conn:
            conn.execute(insert(outbox), rows)
        runtime.migrate()

        with runtime.engine.connect() as conn:
            left = conn.execute(select(outbox.c.event_id).order_by(outbox.c.id)).scalars().all()
        assert left == [rows[1]["event_id"], rows[3]["event_id"]]
        assert "ix_outbox_unpublished" not in {i["name"] for i in inspect(runtime.engine).get_indexes("outbox")}
    finally:
        runtime.engine.dispose()


_COLUMN_COMPRESSION = text(
    "SELECT attcompression FROM pg_attribute WHERE attrelid = CAST(:table AS regclass) AND attname = :column"
)


@pytest.mark.parametrize("service", ["planning", "evaluation", "rewards", "notifications"])
def test_long_values_are_compressed_with_lz4_and_the_downgrade_restores_the_default(service: str, postgres) -> None:
    """Every column PostgreSQL may compress uses lz4 (a table added later without it fails here);
    one revision down, the server's default (pglz) again."""
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    settings = dataclasses.replace(Settings.from_env(service), database_url=postgres.new_database(f"lz4_{service}"))
    runtime = bootstrap.create_runtime(settings)
    long_value = json.dumps({"explanation": [f"IKI {n}: realisasi 87% of target" for n in range(200)]})
    assert len(long_value) > 4000

    def methods() -> set[str]:
        with runtime.engine.connect() as conn:
            return {
                conn.execute(_COLUMN_COMPRESSION, {"table": table, "column": column}).scalar_one()
                for table, column in compressible_columns(conn)
            }

    def stored_method(event_id: str) -> str | None:
        with runtime.engine.begin() as conn:
            conn.execute(
                insert(runtime.tables.outbox),
                {
                    "event_id": event_id,
                    "topic": "kinerja.test.events",
                    "message_key": "198503302010011002",
                    "event_type": "test.long",
                    "value": long_value,
                    "created_at": datetime.now(UTC),
                },
            )
            return conn.execute(
                text("SELECT pg_column_compression(value) FROM outbox WHERE event_id = :e"), {"e": event_id}
            ).scalar_one()

    try:
        runtime.migrate()
        with runtime.engine.connect() as conn:
            assert lz4_available(conn)  # Debian's PostgreSQL and the official images are built with it
            assert ("outbox", "value") in compressible_columns(conn)
        assert methods() == {"l"}
        assert stored_method("00000000-0000-4000-8000-000000000001") == "lz4"

        config = alembic_config(runtime.engine, runtime.metadata, runtime.versions_dir, service)
        with runtime.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "-1")
        assert methods() == {""}
        assert stored_method("00000000-0000-4000-8000-000000000002") == "pglz"
    finally:
        runtime.engine.dispose()
