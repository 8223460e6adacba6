"""The benchmark's PostgreSQL side on a real server: the raw baseline's writes, both ways, and the
checkpoint before every close."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from bench.baseline import postgres_rows
from bench.infra import Databases

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("method", ["insert", "copy"])
def test_the_baseline_writes_every_row_of_the_size_asked(postgres, method: str) -> None:
    url = postgres.new_database(f"raw_{method}")
    figures = postgres_rows(url, rows=1_234, size=300, batch=500, method=method)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            count, sizes = conn.execute(text("SELECT count(*), array_agg(DISTINCT length(v)) FROM raw_rows")).one()
    finally:
        engine.dispose()
    assert (count, sizes) == (1_234, [300])
    assert (figures["rows"], figures["method"]) == (1_234, method)
    assert figures["rows_per_s"] > 0


def test_the_benchmark_can_checkpoint_its_server_before_a_close(postgres) -> None:
    databases = Databases(postgres.new_database("checkpoint"))
    engine = create_engine(databases.admin_url)
    try:
        with engine.connect() as conn:
            before = conn.execute(text("SELECT checkpoint_lsn FROM pg_control_checkpoint()")).scalar_one()
        with engine.begin() as conn:  # something to write out: the checkpoint's position moves past it
            conn.execute(text("CREATE TABLE dirty AS SELECT g AS n FROM generate_series(1, 1000) AS g"))
        assert databases.checkpoint() is True
        with engine.connect() as conn:
            after = conn.execute(text("SELECT checkpoint_lsn FROM pg_control_checkpoint()")).scalar_one()
    finally:
        engine.dispose()
    assert after != before
