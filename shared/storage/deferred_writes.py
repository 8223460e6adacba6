"""Rows written at the end of a consumer batch, one statement per kind, instead of one per event.

A write that nothing in the same transaction reads back from the database (a notice, a pending
delivery, a close item's outcome, a read-model row its adapter also keeps in the session cache)
can wait until the batch ends: `insert_row`, `upsert_later`, `update_later` and `execute_later`
queue it while the session defers, and `flush` sends each statement's parameter sets at once
(inserts by `bulk_insert.insert_many`, upserts by `upsert.upsert_many`, updates by key by
`keyed_update.update_many`, the rest as one executemany), before the
commit — in the order each statement was first queued (rows of one statement keep their order,
so two upserts of one key land in the order they were made). An adapter whose table is written
later and that must read that table from the database itself calls `sync` first.
Outside a batch's optimistic pass (an API request, a batch redone event by event in savepoints)
they write at once. The queue lives in the session (`Session.info`) and is dropped by `flush`; a
failed pass discards its session.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Executable, Table
from sqlalchemy.orm import Session

from shared.storage import keyed_update
from shared.storage.bulk_insert import insert_many, insert_statement, table_inserted_by
from shared.storage.upsert import spec_of, upsert_many, upsert_statement

_INFO_KEY = "kinerja.deferred_writes"
_LAST_KEY = "kinerja.deferred_writes.last"  # table -> the statement queued last for it


def defer(session: Session) -> None:
    session.info[_INFO_KEY] = {}
    session.info.pop(_LAST_KEY, None)


def execute_later(session: Session, statement: Executable, params: dict[str, Any]) -> None:
    """Execute now, or at `flush` while the session defers. `statement` must be one object reused
    for every call (built once, with bind parameters): the queue groups by it. Writes to one table
    keep their order: a statement other than the last one queued for its table sends that table's
    queued statements first (an UPDATE and an upsert of one table alternating are not batched, but
    stay in order; other tables' rows stay queued)."""
    queued: dict[Executable, list[dict[str, Any]]] | None = session.info.get(_INFO_KEY)
    if queued is None:
        session.execute(statement, params)
        return
    table = getattr(statement, "table", None)
    last: dict[Any, Executable] = session.info.setdefault(_LAST_KEY, {})
    if table is not None and last.get(table, statement) is not statement:
        for earlier in [s for s in queued if getattr(s, "table", None) is table]:
            _send(session, earlier, queued.pop(earlier))
    last[table] = statement
    queued.setdefault(statement, []).append(params)


def insert_row(session: Session, table: Table, row: dict[str, Any]) -> None:
    """Insert now, or at `flush` while the session defers (with the table's other queued rows, by
    `bulk_insert.insert_many`)."""
    execute_later(session, insert_statement(table), row)


def upsert_later(session: Session, table: Table, row: dict[str, Any], key: Sequence[str]) -> None:
    """`upsert.upsert` now, or at `flush` while the session defers."""
    execute_later(session, upsert_statement(session, table, tuple(row), tuple(key)), row)


def update_later(session: Session, table: Table, row: dict[str, Any], key: Sequence[str]) -> None:
    """`keyed_update.update_many` of this one row now, or with the batch's others at `flush`."""
    if session.info.get(_INFO_KEY) is None:
        keyed_update.update_many(session, table, [row], key)
        return
    # Queued under its statement (one per table, columns and key), as the row itself: `_send`
    # hands the rows to `update_many`.
    execute_later(session, keyed_update.update_statement(table, tuple(row), tuple(key)), row)


def _execute(session: Session, queued: dict[Executable, list[dict[str, Any]]]) -> None:
    for statement, params in queued.items():
        _send(session, statement, params)


def _send(session: Session, statement: Executable, params: list[dict[str, Any]]) -> None:
    table = table_inserted_by(statement)
    if table is not None:
        insert_many(session, table, params)
    elif (upserted := spec_of(statement)) is not None:
        upsert_many(session, upserted.table, params, upserted.key)
    elif (updated := keyed_update.spec_of(statement)) is not None:
        keyed_update.update_many(session, updated.table, params, updated.key)
    else:
        session.execute(statement, params)


def sync(session: Session) -> None:
    """Execute what is queued so far (a read of the database must see it) and go on deferring."""
    queued: dict[Executable, list[dict[str, Any]]] | None = session.info.get(_INFO_KEY)
    if queued:
        _execute(session, queued)
        queued.clear()
    session.info.get(_LAST_KEY, {}).clear()


def flush(session: Session) -> None:
    """Execute the queued statements and stop deferring."""
    session.info.pop(_LAST_KEY, None)
    _execute(session, session.info.pop(_INFO_KEY, None) or {})
