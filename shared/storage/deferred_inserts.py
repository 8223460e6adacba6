"""Rows inserted at the end of a consumer batch, one statement per table, instead of one per event.

A read model that nothing in the same transaction reads back (a notice, a pending delivery) can
wait until the batch ends: `insert_row` queues its row while the session defers, and `flush` sends each
table's rows as one executemany, before the commit. Outside a batch's optimistic pass (an API
request, a batch redone event by event in savepoints) `insert_row` writes at once. The queue lives in
the session (`Session.info`) and is dropped by `flush`; a failed pass discards its session.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

_INFO_KEY = "kinerja.deferred_inserts"


def defer(session: Session) -> None:
    session.info[_INFO_KEY] = {}


def insert_row(session: Session, table: Table, row: dict[str, Any]) -> None:
    """Insert now, or at `flush` while the session defers. insert(table) with the row as parameters
    is compiled once and cached, unlike .values(row)."""
    queued: dict[Table, list[dict[str, Any]]] | None = session.info.get(_INFO_KEY)
    if queued is None:
        session.execute(insert(table), row)
    else:
        queued.setdefault(table, []).append(row)


def flush(session: Session) -> None:
    """Insert the queued rows (per table, in the order queued) and stop deferring."""
    queued: dict[Table, list[dict[str, Any]]] = session.info.pop(_INFO_KEY, None) or {}
    for table, rows in queued.items():
        session.execute(insert(table), rows)
