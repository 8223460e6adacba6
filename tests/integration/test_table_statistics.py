"""`StatisticsKeeper` analyzes, once, the tables that have rows but no planner statistics (real PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, create_engine, insert, text
from sqlalchemy.pool import NullPool

from shared.storage.database import create_db_engine
from shared.storage.table_statistics import StatisticsKeeper

if TYPE_CHECKING:
    from tests.conftest import DatabaseFactory

pytestmark = pytest.mark.integration

metadata = MetaData()
# autovacuum off: its own ANALYZE must not get there first and make the test pass or fail by timing.
NO_AUTOVACUUM = {"autovacuum_enabled": "false"}
ledger = Table(
    "ledger",
    metadata,
    Column("tenant", String(40), primary_key=True),
    Column("nip", String(18), primary_key=True),
    Column("period_year", Integer, primary_key=True, autoincrement=False),
    Column("evaluation", String, nullable=False),  # the width of the real ledger's rows
    postgresql_with=NO_AUTOVACUUM,
)
small = Table("small", metadata, Column("id", Integer, primary_key=True), postgresql_with=NO_AUTOVACUUM)


ROWS = [
    {"tenant": "1671", "nip": f"{n:018d}", "period_year": year, "evaluation": "x" * 600}
    for n in range(6000)
    for year in (2025, 2026)
]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def url(postgres: DatabaseFactory) -> str:
    url = postgres.new_database("table_statistics")
    # NullPool: each connection's backend exits when closed, which reports its inserts to pg_stat at once.
    engine = create_engine(url, poolclass=NullPool)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(ledger), ROWS)
        conn.execute(insert(small), [{"id": n} for n in range(10)])
    engine.dispose()
    return url


def _has_statistics(engine: Engine, table: str) -> bool:
    with engine.connect() as conn:
        found = conn.execute(text("SELECT count(*) FROM pg_stats WHERE tablename = :t"), {"t": table}).scalar_one()
    return found > 0


def _prefetch_plan(engine: Engine) -> str:
    query = "EXPLAIN SELECT * FROM ledger WHERE tenant = '1671' AND nip = ANY(:nips) AND period_year = 2026"
    with engine.connect() as conn:
        rows = conn.execute(text(query), {"nips": [f"{n:018d}" for n in range(0, 6000, 30)]}).scalars()
        return "\n".join(rows)


def _probes_the_keys(plan: str) -> bool:
    """The batch's 200 nips are in the index condition (not a filter on what the index returned)."""
    index_conditions = [line for line in plan.splitlines() if "Index Cond:" in line]
    return any("nip" in line for line in index_conditions)


def test_analyzes_a_filled_table_without_statistics_once(url: str) -> None:
    engine = create_db_engine(url)
    clock = Clock()
    keeper = StatisticsKeeper(engine, min_rows=1000, every_s=5.0, clock=clock)
    assert not _has_statistics(engine, "ledger")
    assert not _probes_the_keys(_prefetch_plan(engine))

    assert keeper.look() == ["public.ledger"]

    assert _has_statistics(engine, "ledger")
    assert not _has_statistics(engine, "small")  # 10 rows: below min_rows
    # Without statistics the planner read every row of the tenant and year and filtered the batch's
    # keys (above); with them, it probes the index for each key.
    assert _probes_the_keys(_prefetch_plan(engine))
    clock.now += 60
    assert keeper.look() == []  # autovacuum's from here on
    engine.dispose()


def test_looks_at_most_every_interval(url: str) -> None:
    engine = create_db_engine(url)
    clock = Clock()
    keeper = StatisticsKeeper(engine, min_rows=1000, every_s=5.0, clock=clock)
    looked: list[int] = []
    keeper.analyze_tables_without_statistics = lambda: looked.append(1) or []  # type: ignore[method-assign]

    keeper.look()
    clock.now += 4.9
    keeper.look()
    assert len(looked) == 1
    clock.now += 0.2
    keeper.look()
    assert len(looked) == 2
    engine.dispose()


def test_a_table_still_without_statistics_after_its_analyze_is_not_analyzed_again(url: str) -> None:
    engine = create_db_engine(url)
    keeper = StatisticsKeeper(engine, min_rows=1000)
    ran: list[str] = []
    # As PostgreSQL does for a role that may not analyze the table: it warns, skips, and raises nothing.
    keeper._analyze = lambda name: ran.append(name) or True  # type: ignore[method-assign]

    assert keeper.analyze_tables_without_statistics() == ["public.ledger"]
    assert keeper.analyze_tables_without_statistics() == []
    assert ran == ["public.ledger"]
    assert not _has_statistics(engine, "ledger")
    engine.dispose()


def test_leaves_a_table_whose_lock_another_analyze_holds(url: str) -> None:
    engine = create_db_engine(url)
    keeper = StatisticsKeeper(engine, min_rows=1000)
    with engine.connect() as holder:
        holder.execute(text("LOCK TABLE ledger IN SHARE UPDATE EXCLUSIVE MODE"))  # what ANALYZE takes
        assert keeper.analyze_tables_without_statistics() == []
        holder.rollback()
    assert not _has_statistics(engine, "ledger")
    assert keeper.analyze_tables_without_statistics() == ["public.ledger"]
    engine.dispose()


def test_does_nothing_on_sqlite(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'kinerja.db'}")
    metadata.create_all(engine)
    assert StatisticsKeeper(engine, min_rows=0).look() == []
    engine.dispose()
