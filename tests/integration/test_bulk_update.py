"""`keyed_update.update_many` stores what updating row by row stores — by one unnest statement on
real PostgreSQL, by executemany on SQLite — keeps a key's last row, leaves keys it does not find
alone, and fails as an UPDATE fails."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, timedelta
from typing import Any

import pytest
from sqlalchemy import JSON, Column, DateTime, Engine, Integer, MetaData, String, Table, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from shared.storage import deferred_writes, upsert
from shared.storage.database import create_db_engine
from shared.storage.keyed_update import update_many, update_statement
from shared.storage.upsert import UNNEST_FROM_ROWS
from tests.integration.bulk_tools import ARRAY_AWKWARD_TEXT, START, count_rows_sent, engine_with_tables, stored_rows

pytestmark = pytest.mark.integration

KEY = ("close_id", "nip")


def _columns() -> list[Column[Any]]:
    return [
        Column("close_id", String(80), primary_key=True),
        Column("nip", String(18), primary_key=True),
        Column("status", String(20), nullable=False),
        Column("reasons", JSON, nullable=True),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        Column("untouched", String(20), nullable=False),
    ]


metadata = MetaData()
bulk = Table("bulk", metadata, *_columns())
by_row = Table("by_row", metadata, *_columns())
stamped = Table(  # a Python-side `onupdate` of a column the rows leave out: only SQLAlchemy applies it
    "stamped",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("status", String(20), nullable=False),
    Column("revision", Integer, nullable=False, default=0, onupdate=lambda: 7),
)


def _pending(count: int) -> list[dict[str, Any]]:
    return [
        {"close_id": "c1", "nip": f"1985{n:014d}", "status": "pending", "reasons": None, "updated_at": START}
        | {"untouched": f"tetap {n}"}
        for n in range(count)
    ]


def _outcomes(nips: range, version: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "close_id": "c1",
            "nip": f"1985{n:014d}",
            "status": "incomplete" if n % 3 == 0 else "completed",
            "reasons": [{"field": "realisasi", "alasan": ARRAY_AWKWARD_TEXT, "n": n, "v": version}]
            if n % 3 == 0
            else None,
            "updated_at": START + timedelta(seconds=n + version),
        }
        for n in nips
    ]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """Both tables with the same 300 pending items."""
    for engine in engine_with_tables(database_url, metadata):
        with engine.begin() as conn:
            conn.execute(insert(bulk), _pending(300))
            conn.execute(insert(by_row), _pending(300))
        yield engine


@pytest.fixture
def unnests(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Rows per unnest statement actually sent."""
    return count_rows_sent(monkeypatch, upsert, "execute_unnest")


def _stored(engine: Engine, table: Table) -> list[tuple[Any, ...]]:
    return stored_rows(engine, table, "nip")


def _by_row(session: Session, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        session.execute(
            update(by_row)
            .where(by_row.c.close_id == row["close_id"], by_row.c.nip == row["nip"])
            .values({k: v for k, v in row.items() if k not in KEY})
        )


def _expected_unnests(engine: Engine, *counts: int) -> list[int]:
    return [c for c in counts if c >= UNNEST_FROM_ROWS] if engine.dialect.name == "postgresql" else []


@pytest.mark.parametrize("count", [UNNEST_FROM_ROWS - 1, UNNEST_FROM_ROWS, 300])
def test_updates_what_updating_row_by_row_does(engine: Engine, unnests: list[int], count: int) -> None:
    rows = _outcomes(range(count))
    with Session(engine) as session, session.begin():
        update_many(session, bulk, rows, KEY)
        _by_row(session, rows)

    got = _stored(engine, bulk)
    assert got == _stored(engine, by_row)
    assert len(got) == 300  # updated in place: nothing inserted
    assert {row[2] for row in got[:count]} == {"completed", "incomplete"}
    assert {row[2] for row in got[count:]} == ({"pending"} if count < 300 else set())
    assert got[0][3] == [{"field": "realisasi", "alasan": ARRAY_AWKWARD_TEXT, "n": 0, "v": 0}]
    assert [row[5] for row in got] == [f"tetap {n}" for n in range(300)]  # a column not in the rows stays
    assert unnests == _expected_unnests(engine, count)


def test_a_key_updated_twice_ends_with_its_last_row_and_an_unknown_key_changes_nothing(
    engine: Engine, unnests: list[int]
) -> None:
    rows = [*_outcomes(range(40)), *_outcomes(range(10, 20), version=1), *_outcomes(range(400, 410))]
    with Session(engine) as session, session.begin():
        update_many(session, bulk, rows, KEY)
        _by_row(session, rows)

    got = _stored(engine, bulk)
    assert got == _stored(engine, by_row)
    assert len(got) == 300
    assert [row[4].replace(tzinfo=row[4].tzinfo or UTC) for row in got[9:21]] == [  # SQLite's are naive
        START + timedelta(seconds=n + (1 if 10 <= n < 20 else 0)) for n in range(9, 21)
    ]
    assert unnests == _expected_unnests(engine, 50)  # the 60 rows, one per key (unknown ones included)


def test_a_value_too_long_fails_as_an_update_does_and_nothing_changes(postgres) -> None:
    # PostgreSQL only: SQLite does not enforce a VARCHAR's length.
    engine = create_db_engine(postgres.new_database("bulk_update"))
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(bulk), _pending(40))
    rows = _outcomes(range(40))
    rows[30]["status"] = "s" * 21  # VARCHAR(20): refused, not cut to fit by the array's cast
    with Session(engine) as session:
        with pytest.raises(DBAPIError, match="too long"):
            update_many(session, bulk, rows, KEY)
        session.rollback()
        update_many(session, bulk, _outcomes(range(20)), KEY)  # the session is usable after the rollback
        session.commit()
    assert [row[2] for row in _stored(engine, bulk)].count("pending") == 20
    engine.dispose()


def test_a_null_in_a_not_null_column_is_an_integrity_error(engine: Engine) -> None:
    rows = _outcomes(range(30))
    rows[20]["status"] = None  # NOT NULL
    with Session(engine) as session, pytest.raises(IntegrityError):
        update_many(session, bulk, rows, KEY)


def test_deferred_updates_go_as_one_statement_at_flush(engine: Engine, unnests: list[int]) -> None:
    rows = _outcomes(range(50))
    with Session(engine) as session, session.begin():
        deferred_writes.defer(session)
        for row in rows:
            deferred_writes.update_later(session, bulk, row, KEY)
        assert {row[2] for row in _stored(engine, bulk)} == {"pending"}
        deferred_writes.flush(session)
        _by_row(session, rows)
    assert _stored(engine, bulk) == _stored(engine, by_row)
    assert unnests == _expected_unnests(engine, 50)


def test_an_update_outside_a_batch_is_written_at_once(engine: Engine, unnests: list[int]) -> None:
    [row] = _outcomes(range(1))
    with Session(engine) as session, session.begin():
        deferred_writes.update_later(session, bulk, row, KEY)
        assert session.execute(select(bulk.c.status).where(bulk.c.nip == row["nip"])).scalar_one() == "incomplete"
    assert unnests == []


def test_a_python_side_onupdate_is_applied_by_the_executemany(engine: Engine, unnests: list[int]) -> None:
    with engine.begin() as conn:
        conn.execute(insert(stamped), [{"id": n, "status": "pending"} for n in range(30)])
    with Session(engine) as session, session.begin():
        update_many(session, stamped, [{"id": n, "status": "completed"} for n in range(30)], ("id",))
    with engine.connect() as conn:
        assert set(conn.execute(select(stamped.c.status, stamped.c.revision))) == {("completed", 7)}
    assert unnests == []  # the unnest statement would not apply it


@pytest.mark.parametrize("columns", [("close_id", "status"), ("close_id", "nip")])
def test_an_update_needs_its_whole_key_and_something_to_set(columns: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="needs its key"):
        update_statement(bulk, columns, KEY)


def test_a_column_named_as_a_key_parameter_is_refused() -> None:
    table = Table("odd", MetaData(), Column("nip", String(18), primary_key=True), Column("key_nip", String(18)))
    with pytest.raises(ValueError, match="key_nip"):
        update_statement(table, ("nip", "key_nip"), ("nip",))
