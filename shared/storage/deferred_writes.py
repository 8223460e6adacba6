"""Rows written at the end of a consumer batch, one statement per kind, instead of one per event.

A write that nothing in the same transaction reads back (a notice, a pending delivery, a close
item's outcome) can wait until the batch ends: `insert_row` and `execute_later` queue it while the
session defers, and `flush` sends each statement's parameter sets as one executemany, before the
commit — in the order each statement was first queued (rows of one statement keep their order).
Outside a batch's optimistic pass (an API request, a batch redone event by event in savepoints)
they write at once. The queue lives in the session (`Session.info`) and is dropped by `flush`; a
failed pass discards its session.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Executable, Table, insert
from sqlalchemy.orm import Session

_INFO_KEY = "kinerja.deferred_writes"


def defer(session: Session) -> None:
    session.info[_INFO_KEY] = {}


def execute_later(session: Session, statement: Executable, params: dict[str, Any]) -> None:
    """Execute now, or at `flush` while the session defers. `statement` must be one object reused
    for every call (built once, with bind parameters): the queue groups by it."""
    queued: dict[Executable, list[dict[str, Any]]] | None = session.info.get(_INFO_KEY)
    if queued is None:
        session.execute(statement, params)
    else:
        queued.setdefault(statement, []).append(params)


def insert_row(session: Session, table: Table, row: dict[str, Any]) -> None:
    """Insert now, or at `flush` while the session defers."""
    execute_later(session, _insert_of(table), row)


_INSERTS: dict[Table, Executable] = {}


def _insert_of(table: Table) -> Executable:
    # insert(table) with the row as parameters, one object per table: compiled once and cached
    return _INSERTS.setdefault(table, insert(table))


def flush(session: Session) -> None:
    """Execute the queued statements and stop deferring."""
    queued: dict[Executable, list[dict[str, Any]]] = session.info.pop(_INFO_KEY, None) or {}
    for statement, params in queued.items():
        session.execute(statement, params)
