"""`upsert_many` stores what upserting row by row stores — by one unnest statement on real
PostgreSQL, by executemany on SQLite — keeps a key's last row, and fails as an INSERT fails."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Engine,
    LargeBinary,
    MetaData,
    String,
    Table,
    select,
)
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from shared.storage import deferred_writes, upsert
from shared.storage.database import create_db_engine
from shared.storage.upsert import UNNEST_FROM_ROWS, upsert_many, upsert_statement
from tests.integration.bulk_tools import (
    ARRAY_AWKWARD_TEXT,
    START,
    count_rows_sent,
    engine_with_tables,
    stored_rows,
    typed_columns,
)

pytestmark = pytest.mark.integration


def _columns() -> list[Column[Any]]:
    return [
        Column("tenant", String(40), primary_key=True),
        Column("nip", String(18), primary_key=True),
        *typed_columns(),
        Column("blob", LargeBinary, nullable=True),
        Column("kind", String(20), nullable=False, server_default="umum"),
    ]


metadata = MetaData()
bulk = Table("bulk", metadata, *_columns())
by_row = Table("by_row", metadata, *_columns())
links = Table("links", metadata, Column("a", String(10), primary_key=True), Column("b", String(10), primary_key=True))

KEY = ("tenant", "nip")


def _rows(count: int, version: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "tenant": "1671",
            "nip": f"1985{n:014d}",
            "body": f"{ARRAY_AWKWARD_TEXT} #{n} v{version}",
            "data": {"skor": 87.5 + n, "catatan": ARRAY_AWKWARD_TEXT, "iki": [1, None, "x"], "v": version},
            "doc": None if n % 3 == 0 else {"n": n, "nested": {"ok": True}},
            "at": START + timedelta(minutes=n + version),
            "n": None if n % 4 == 0 else n * (version + 1),
            "ok": (n + version) % 2 == 0,
            "amount": None if n % 5 == 0 else Decimal("1500000.25") + n,
            "blob": None if n % 2 else bytes([n % 256, 0, 255]),
        }
        for n in range(count)
    ]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    yield from engine_with_tables(database_url, metadata)


@pytest.fixture
def unnests(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Rows per unnest statement actually sent."""
    return count_rows_sent(monkeypatch, upsert, "execute_unnest")


def _stored(engine: Engine, table: Table) -> list[tuple[Any, ...]]:
    return stored_rows(engine, table, "nip")


def _by_row(session: Session, table: Table, rows: list[dict[str, Any]], key: tuple[str, ...] = KEY) -> None:
    statement = upsert_statement(session, table, tuple(rows[0]), key)
    for row in rows:
        session.execute(statement, row)


def _expected_unnests(engine: Engine, *counts: int) -> list[int]:
    return [c for c in counts if c >= UNNEST_FROM_ROWS] if engine.dialect.name == "postgresql" else []


@pytest.mark.parametrize("count", [UNNEST_FROM_ROWS - 1, UNNEST_FROM_ROWS, 300])
def test_inserts_then_updates_what_upserting_row_by_row_does(engine: Engine, unnests: list[int], count: int) -> None:
    for version in (0, 1):  # the first pass inserts, the second updates every row
        rows = _rows(count, version)
        with Session(engine) as session, session.begin():
            upsert_many(session, bulk, rows, KEY)
            _by_row(session, by_row, rows)

    got = _stored(engine, bulk)
    assert got == _stored(engine, by_row)
    assert len(got) == count
    assert {row[-1] for row in got} == {"umum"}  # the database's default for a column left out
    assert {row[3]["v"] for row in got} == {1}  # updated
    assert unnests == _expected_unnests(engine, count, count)


def test_a_key_upserted_twice_in_one_call_ends_with_its_last_row(engine: Engine, unnests: list[int]) -> None:
    first, second = _rows(40, 0), _rows(40, 1)
    rows = [*first[:20], *second[10:30], *first[30:]]  # nips 10..19 twice, the second time changed
    with Session(engine) as session, session.begin():
        upsert_many(session, bulk, rows, KEY)
        _by_row(session, by_row, rows)

    assert _stored(engine, bulk) == _stored(engine, by_row)
    assert [row[3]["v"] for row in _stored(engine, bulk)] == [0] * 10 + [1] * 20 + [0] * 10
    assert unnests == _expected_unnests(engine, 40)  # the 50 rows, one per key


def test_rows_of_the_key_only_do_nothing_on_conflict(engine: Engine, unnests: list[int]) -> None:
    pairs = [{"a": f"a{n % 7}", "b": f"b{n % 5}"} for n in range(60)]  # 35 distinct pairs, repeated
    with Session(engine) as session, session.begin():
        upsert_many(session, links, pairs[:20], ("a", "b"))
        upsert_many(session, links, pairs, ("a", "b"))
    with engine.connect() as conn:
        stored = set(conn.execute(select(links.c.a, links.c.b)))
    assert stored == {(p["a"], p["b"]) for p in pairs}
    assert unnests == _expected_unnests(engine, 20, 35)


def test_a_value_too_long_fails_as_an_insert_does_and_nothing_is_stored(postgres) -> None:
    # PostgreSQL only: SQLite does not enforce a VARCHAR's length.
    engine = create_db_engine(postgres.new_database("bulk_upsert"))
    metadata.create_all(engine)
    rows = _rows(40)
    rows[30]["nip"] = "1" * 19  # VARCHAR(18): refused, not cut to fit by the array's cast
    with Session(engine) as session:
        with pytest.raises(DBAPIError, match="too long"):
            upsert_many(session, bulk, rows, KEY)
        session.rollback()
        upsert_many(session, bulk, _rows(20), KEY)  # the session is usable again after the rollback
        session.commit()
    assert len(_stored(engine, bulk)) == 20
    engine.dispose()


def test_a_null_in_a_not_null_column_is_an_integrity_error(engine: Engine) -> None:
    rows = _rows(30)
    rows[20]["tenant"] = None  # NOT NULL
    with Session(engine) as session, pytest.raises(IntegrityError):
        upsert_many(session, bulk, rows, KEY)


def test_deferred_upserts_go_as_one_statement_at_flush(engine: Engine, unnests: list[int]) -> None:
    rows = _rows(50)
    with Session(engine) as session, session.begin():
        deferred_writes.defer(session)
        for row in rows:
            deferred_writes.upsert_later(session, bulk, row, KEY)
        assert _stored(engine, bulk) == []
        deferred_writes.flush(session)
    assert len(_stored(engine, bulk)) == 50
    assert unnests == _expected_unnests(engine, 50)


def test_a_column_null_in_every_row(engine: Engine, unnests: list[int]) -> None:
    rows = [{**row, "n": None, "amount": None, "blob": None} for row in _rows(30)]
    with Session(engine) as session, session.begin():
        upsert_many(session, bulk, rows, KEY)
        _by_row(session, by_row, rows)
    assert _stored(engine, bulk) == _stored(engine, by_row)
    assert {(row[6], row[8], row[9]) for row in _stored(engine, bulk)} == {(None, None, None)}
    assert unnests == _expected_unnests(engine, 30)
