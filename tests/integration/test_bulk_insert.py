"""`insert_many` stores what `insert(table)` stores — by COPY on real PostgreSQL, by executemany on
SQLite — and fails as an INSERT fails."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Engine,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
    text,
)
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from shared.storage import bulk_insert
from shared.storage.bulk_insert import COPY_FROM_ROWS, insert_many
from shared.storage.tables import BigId, add_eventing_tables
from tests.integration.bulk_tools import START, count_rows_sent, engine_with_tables, stored_rows, typed_columns

pytestmark = pytest.mark.integration


def _columns() -> list[Column[Any]]:
    return [
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        *typed_columns(),
        Column("note", String(60), nullable=True),
        Column("kind", String(20), nullable=False, server_default="umum"),
    ]


metadata = MetaData()
copied = Table("copied", metadata, *_columns())
inserted = Table("inserted", metadata, *_columns())
with_python_default = Table(
    "with_python_default",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("label", String(20), nullable=False),
    Column("origin", String(20), nullable=False, default="python"),
)
eventing = add_eventing_tables(metadata)

AWKWARD_TEXT = 'tab\there, newline\nthere, back\\slash, "quotes", \\N, Palembang – Tangerang Selatan ✓'


def _rows(count: int) -> list[dict[str, Any]]:
    return [
        {
            "event_id": f"00000000-0000-4000-8000-{n:012d}",
            "body": f"{AWKWARD_TEXT} #{n}",
            "data": {"nip": f"1985{n:014d}", "skor": 87.5 + n, "catatan": AWKWARD_TEXT, "iki": [1, None, "x"]},
            "doc": None if n % 3 == 0 else {"n": n, "nested": {"ok": True}},
            "at": START + timedelta(minutes=n),
            "n": None if n % 4 == 0 else n,
            "ok": n % 2 == 0,
            "amount": None if n % 5 == 0 else Decimal("1500000.25") + n,
            "note": None if n % 2 else f"catatan {n}",
        }
        for n in range(count)
    ]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    yield from engine_with_tables(database_url, metadata)


@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Rows per COPY actually sent."""
    return count_rows_sent(monkeypatch, bulk_insert, "_copy")


def _stored(engine: Engine, table: Table) -> list[tuple[Any, ...]]:
    return stored_rows(engine, table, "id")


@pytest.mark.parametrize("count", [COPY_FROM_ROWS - 1, COPY_FROM_ROWS, 300])
def test_stores_what_an_insert_stores(engine: Engine, copies: list[int], count: int) -> None:
    rows = _rows(count)
    with Session(engine) as session, session.begin():
        insert_many(session, copied, rows)
        session.execute(insert(inserted), rows)

    got = _stored(engine, copied)
    assert got == _stored(engine, inserted)
    assert len(got) == count
    assert [row[1] for row in got] == [row["event_id"] for row in rows]  # in order, ids ascending
    assert {row[-1] for row in got} == {"umum"}  # the database's default for a column left out
    with engine.connect() as conn:
        json_nulls = conn.execute(text("SELECT count(*) FROM copied WHERE doc IS NULL")).scalar_one()
    # JSON's None is stored as `insert()` stores it (SQLAlchemy's none_as_null=False: a JSON null)
    with engine.connect() as conn:
        assert json_nulls == conn.execute(text("SELECT count(*) FROM inserted WHERE doc IS NULL")).scalar_one()
    expected_copies = [count] if engine.dialect.name == "postgresql" and count >= COPY_FROM_ROWS else []
    assert copies == expected_copies


def test_a_duplicate_key_is_an_integrity_error_and_nothing_is_stored(engine: Engine) -> None:
    rows = _rows(40)
    rows[30]["event_id"] = rows[3]["event_id"]
    with Session(engine) as session:
        with pytest.raises(IntegrityError):
            insert_many(session, copied, rows)
        session.rollback()
        insert_many(session, copied, _rows(20))  # the session is usable again after the rollback
        session.commit()
    assert len(_stored(engine, copied)) == 20


def test_rows_of_differing_keys_take_the_executemany(engine: Engine, copies: list[int]) -> None:
    rows = _rows(30)
    del rows[7]["note"]
    # SQLAlchemy's own refusal: "A value is required for bind parameter 'note', in parameter group 7"
    with Session(engine) as session, pytest.raises(StatementError, match="note"):
        insert_many(session, copied, rows)
    assert copies == []


def test_a_python_side_default_is_applied(engine: Engine, copies: list[int]) -> None:
    with Session(engine) as session, session.begin():
        insert_many(session, with_python_default, [{"label": f"r{n}"} for n in range(40)])
    stored = _stored(engine, with_python_default)
    assert [row[2] for row in stored] == ["python"] * 40
    assert copies == []


def test_the_eventing_tables_are_copied_on_postgresql() -> None:
    dialect = create_engine("postgresql+psycopg://").dialect  # no connection: the plan is the dialect's
    for table in (eventing.outbox, eventing.event_store, eventing.processed_events):
        columns = tuple(c.name for c in table.c if c.name != "id")
        plan = bulk_insert._copy_plan(dialect, table, columns)
        assert plan is not None, table.name
        assert plan.statement.startswith(f"COPY {table.name} (")
