"""Insert-or-update of one row, in the dialect of the session's database (PostgreSQL or SQLite)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def upsert(session: Session, table: Table, row: dict[str, Any], key: Sequence[str]) -> None:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).values(row)
    updates = {name: statement.excluded[name] for name in row if name not in key}
    if updates:
        session.execute(statement.on_conflict_do_update(index_elements=list(key), set_=updates))
    else:
        session.execute(statement.on_conflict_do_nothing(index_elements=list(key)))


def upsert_many(session: Session, table: Table, rows: Sequence[dict[str, Any]], key: Sequence[str]) -> None:
    """`upsert` for many rows with the same columns, in one executemany statement."""
    if not rows:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(table)
    updates = {name: statement.excluded[name] for name in rows[0] if name not in key}
    session.execute(statement.on_conflict_do_update(index_elements=list(key), set_=updates), list(rows))
