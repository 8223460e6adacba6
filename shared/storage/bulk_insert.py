"""Many rows into one table at once: COPY on PostgreSQL, one executemany elsewhere.

A consumer batch inserts hundreds of rows per table (outbox, event store, processed events,
notices). psycopg sends an executemany as a pipeline of one INSERT per row; the client adapts and
frames every row in Python and the server executes every row as a statement of its own. `COPY …
FROM STDIN` streams the same rows in one statement, framed by psycopg's C code: a third of the
client's CPU per row or less, and half the wall time (docs/scaling.md, fix 26).

The rows go through the columns' own bind processors (JSON wrapped as SQLAlchemy wraps it, with the
engine's serializer), so what is stored is what `insert(table)` would store; the database's
defaults fill the columns a row leaves out. A COPY error is raised as SQLAlchemy raises the
driver's errors (a duplicate key is an `IntegrityError`), and leaves the transaction failed, as a
failed INSERT does. Small batches, other databases, rows of differing keys and tables with
Python-side column defaults (which only SQLAlchemy's INSERT applies) take the executemany.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Literal, NamedTuple

from sqlalchemy import Executable, Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

# Below this many rows the pipelined executemany is as cheap: COPY costs a round trip more.
COPY_FROM_ROWS = 16

Processor = Callable[[Any], Any] | None


def insert_many(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` (every row with the same keys, columns of `table`) in the session's transaction."""
    if not rows:
        return
    if len(rows) >= COPY_FROM_ROWS:
        connection = session.connection()
        columns = tuple(rows[0])
        plan = _copy_plan(connection.dialect, table, columns)
        keys = rows[0].keys()
        if plan is not None and all(row.keys() == keys for row in rows):
            _copy(connection.connection.driver_connection, connection.dialect, plan, rows)
            return
    session.execute(insert_statement(table), rows)


class _CopyPlan(NamedTuple):
    statement: str
    columns: tuple[tuple[str, Processor], ...]  # (name, bind processor or None), in COPY order


@lru_cache(maxsize=512)
def _copy_plan(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> _CopyPlan | None:
    """The COPY statement and the columns' bind processors, or None where COPY would not store what
    `insert(table)` stores (or the driver has no COPY)."""
    processors = driver_columns(dialect, table, columns)
    if processors is None:
        return None
    quote = dialect.identifier_preparer.quote
    statement = (
        f"COPY {dialect.identifier_preparer.format_table(table)} "
        f"({', '.join(quote(name) for name in columns)}) FROM STDIN"
    )
    return _CopyPlan(statement, processors)


def _copy(driver_connection: Any, dialect: Dialect, plan: _CopyPlan, rows: Sequence[Mapping[str, Any]]) -> None:
    columns = plan.columns
    with (
        driver_errors(dialect, plan.statement),
        driver_connection.cursor() as cursor,
        cursor.copy(plan.statement) as copy,
    ):
        for row in rows:
            copy.write_row([row[name] if process is None else process(row[name]) for name, process in columns])


def driver_columns(
    dialect: Dialect, table: Table, columns: tuple[str, ...], *, writing: Literal["insert", "update"] = "insert"
) -> tuple[tuple[str, Processor], ...] | None:
    """`columns` with their bind processors, for a statement of our own sent through psycopg (a COPY,
    `upsert`'s or `keyed_update`'s unnest) that must store what SQLAlchemy's INSERT (or UPDATE)
    stores. None where it cannot: another driver or database, a column the table lacks
    (SQLAlchemy's statement refuses it with its own message), or a Python-side default (`onupdate`
    for an UPDATE) of a column left out: only SQLAlchemy's own statement applies it."""
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        return None
    if any(name not in table.c for name in columns):
        return None
    applied = "default" if writing == "insert" else "onupdate"
    if any(getattr(column, applied) is not None for column in table.c if column.name not in columns):
        return None
    return tuple((name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in columns)


@contextmanager
def driver_errors(dialect: Dialect, statement: str) -> Iterator[None]:
    """The driver's errors raised as SQLAlchemy raises them (a duplicate key is an `IntegrityError`).
    Without the parameters: a batch's rows (names, NIPs) do not belong in a log line, and the
    server's message names the failing value where it matters."""
    try:
        yield
    except dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(statement, None, exc, dialect.loaded_dbapi.Error, dialect=dialect) from exc


_INSERTS: dict[Table, Executable] = {}


def insert_statement(table: Table) -> Executable:
    """`insert(table)`, one object per table: compiled once and cached, and recognisable."""
    statement = _INSERTS.get(table)
    if statement is None:
        statement = _INSERTS[table] = insert(table)
    return statement


def table_inserted_by(statement: Executable) -> Table | None:
    """The table `statement` is the `insert_statement` of (its rows can go to `insert_many`), or None."""
    table = getattr(statement, "table", None)
    return table if table is not None and _INSERTS.get(table) is statement else None
