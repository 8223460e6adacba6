"""deferred_writes.upsert_later and sync: upserts queued in a consumer batch land as one statement per
column set, in the order they were made, and a read that syncs first sees them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, event, select
from sqlalchemy.orm import Session

from shared.storage import deferred_writes

metadata = MetaData()
rows = Table(
    "rows",
    metadata,
    Column("k", String, primary_key=True),
    Column("v", Integer, nullable=False),
    Column("note", String),
)


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cu, statement, *_a: statements.append(statement))
    with Session(engine) as s:
        s.info["statements"] = statements
        yield s


def table(session: Session) -> dict[str, tuple[int, str | None]]:
    return {r.k: (r.v, r.note) for r in session.execute(select(rows))}


def inserts(session: Session) -> int:
    return sum(1 for s in session.info["statements"] if s.lstrip().startswith("INSERT"))


def test_outside_a_batch_an_upsert_is_written_at_once(session: Session) -> None:
    deferred_writes.upsert_later(session, rows, {"k": "a", "v": 1}, key=["k"])
    assert table(session) == {"a": (1, None)}


def test_a_batch_queues_upserts_and_writes_them_in_order_in_one_statement(session: Session) -> None:
    deferred_writes.defer(session)
    for k, v in [("a", 1), ("b", 2), ("a", 3)]:
        deferred_writes.upsert_later(session, rows, {"k": k, "v": v}, key=["k"])
    assert table(session) == {}  # nothing sent yet
    deferred_writes.flush(session)
    assert table(session) == {"a": (3, None), "b": (2, None)}  # the later upsert of "a" wins
    assert inserts(session) == 1


def test_sync_sends_what_is_queued_and_goes_on_deferring(session: Session) -> None:
    deferred_writes.defer(session)
    deferred_writes.upsert_later(session, rows, {"k": "a", "v": 1}, key=["k"])
    deferred_writes.sync(session)
    assert table(session) == {"a": (1, None)}
    deferred_writes.upsert_later(session, rows, {"k": "b", "v": 2}, key=["k"])
    assert "b" not in table(session)
    deferred_writes.flush(session)
    assert table(session) == {"a": (1, None), "b": (2, None)}


def test_another_column_set_sends_the_tables_earlier_rows_first(session: Session) -> None:
    deferred_writes.defer(session)
    deferred_writes.upsert_later(session, rows, {"k": "a", "v": 1, "note": "first"}, key=["k"])
    deferred_writes.upsert_later(session, rows, {"k": "a", "v": 2}, key=["k"])  # keeps the note
    deferred_writes.upsert_later(session, rows, {"k": "a", "v": 3, "note": "last"}, key=["k"])
    deferred_writes.flush(session)
    assert table(session) == {"a": (3, "last")}


def test_an_update_and_an_upsert_of_one_table_alternating_keep_their_order(session: Session) -> None:
    close_all = rows.update().where(rows.c.k.startswith("a")).values(note="closed")
    deferred_writes.defer(session)
    for k in ("a1", "a2", "a3", "a4"):  # each closes the earlier rows, then opens its own (an appeal window's shape)
        deferred_writes.execute_later(session, close_all, {})
        deferred_writes.upsert_later(session, rows, {"k": k, "v": 1, "note": "open"}, key=["k"])
    deferred_writes.flush(session)
    assert table(session) == {"a1": (1, "closed"), "a2": (1, "closed"), "a3": (1, "closed"), "a4": (1, "open")}
