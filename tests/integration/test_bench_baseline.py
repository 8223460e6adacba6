"""The raw baseline's PostgreSQL writes, both ways, on a real server: every row is written."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from bench.baseline import postgres_rows

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
