"""Insert-or-update of rows, in the dialect of the session's database (PostgreSQL or SQLite).

The statement is built once per table, column set and key, and reused with new parameters: at
year-end a consumer upserts read-model rows thousands of times, and building the statement anew
each time cost more than running it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Executable, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


@functools.lru_cache(maxsize=1024)
def _statement(dialect: str, table: Table, columns: tuple[str, ...], key: tuple[str, ...]) -> Executable:
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    updates = {name: statement.excluded[name] for name in columns if name not in key}
    if updates:
        return statement.on_conflict_do_update(index_elements=list(key), set_=updates)
    return statement.on_conflict_do_nothing(index_elements=list(key))


def upsert_statement(session: Session, table: Table, columns: tuple[str, ...], key: tuple[str, ...]) -> Executable:
    """The insert-or-update of `columns` on `key`, one object per (dialect, table, columns, key)."""
    return _statement(session.get_bind().dialect.name, table, columns, key)


def upsert(session: Session, table: Table, row: dict[str, Any], key: Sequence[str]) -> None:
    upsert_many(session, table, [row], key)


def upsert_many(session: Session, table: Table, rows: Sequence[dict[str, Any]], key: Sequence[str]) -> None:
    """`upsert` for many rows with the same columns, in one executemany statement."""
    if not rows:
        return
    session.execute(upsert_statement(session, table, tuple(rows[0]), tuple(key)), list(rows))
