"""Insert-or-update of rows, in the dialect of the session's database (PostgreSQL or SQLite).

The statement is built once per table, column set and key, and reused with new parameters: at
year-end a consumer upserts read-model rows thousands of times, and building the statement anew
each time cost more than running it.

Many rows go to PostgreSQL as one statement, `INSERT … SELECT * FROM unnest(:column arrays) ON
CONFLICT …`, instead of psycopg's executemany (a pipeline of one INSERT per row, each adapted and
framed by the client and executed by the server on its own): see `upsert_many`. On the year-end's
read-model tables that saves ~20 µs an upsert, client and server CPU together, most of it the
client's (`python -m bench.upsert_cost`; docs/scaling.md, fix 31).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Executable, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from shared.storage.bulk_insert import Processor, driver_columns, driver_errors

# From this many rows one unnest statement is cheaper than the pipelined executemany.
UNNEST_FROM_ROWS = 16


class UpsertSpec(NamedTuple):
    table: Table
    columns: tuple[str, ...]
    key: tuple[str, ...]


_SPECS: dict[Executable, UpsertSpec] = {}  # statement -> what it upserts (see `spec_of`)


@functools.lru_cache(maxsize=1024)
def _statement(dialect: str, table: Table, columns: tuple[str, ...], key: tuple[str, ...]) -> Executable:
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    updates = {name: statement.excluded[name] for name in columns if name not in key}
    if updates:
        built = statement.on_conflict_do_update(index_elements=list(key), set_=updates)
    else:
        built = statement.on_conflict_do_nothing(index_elements=list(key))
    _SPECS[built] = UpsertSpec(table, columns, key)
    return built


def upsert_statement(session: Session, table: Table, columns: tuple[str, ...], key: tuple[str, ...]) -> Executable:
    """The insert-or-update of `columns` on `key`, one object per (dialect, table, columns, key)."""
    return _statement(session.get_bind().dialect.name, table, columns, key)


def spec_of(statement: Executable) -> UpsertSpec | None:
    """What `statement` upserts, if it is an `upsert_statement` (its rows can go to `upsert_many`)."""
    return _SPECS.get(statement)


def upsert(session: Session, table: Table, row: dict[str, Any], key: Sequence[str]) -> None:
    upsert_many(session, table, [row], key)


def upsert_many(session: Session, table: Table, rows: Sequence[Mapping[str, Any]], key: Sequence[str]) -> None:
    """`upsert` for many rows with the same columns, in the order given: a key upserted twice ends
    with its last row. On PostgreSQL (psycopg) one `unnest` statement from `UNNEST_FROM_ROWS` rows,
    else one executemany."""
    if not rows:
        return
    columns, key = tuple(rows[0]), tuple(key)
    if len(rows) >= UNNEST_FROM_ROWS:
        connection = session.connection()
        plan = _unnest_plan(connection.dialect, table, columns, key)
        names = rows[0].keys()
        if plan is not None and all(row.keys() == names for row in rows):
            rows = one_row_per_key(rows, key, last=plan.updates)
            execute_unnest(connection.connection.driver_connection, connection.dialect, plan, rows)
            return
    session.execute(upsert_statement(session, table, columns, key), list(rows))


class UnnestPlan(NamedTuple):
    statement: str
    columns: tuple[tuple[str, Processor], ...]  # (name, bind processor or None), in the statement's order
    updates: bool  # DO UPDATE (the last row of a key wins) or DO NOTHING (the first one)


@functools.lru_cache(maxsize=512)
def _unnest_plan(dialect: Dialect, table: Table, columns: tuple[str, ...], key: tuple[str, ...]) -> UnnestPlan | None:
    """The unnest statement and the columns' bind processors, or None where it would not store what
    `upsert_statement` stores (or the driver is not psycopg)."""
    processors = driver_columns(dialect, table, columns)
    if processors is None or not set(key) <= set(columns):
        return None
    quote = dialect.identifier_preparer.quote
    # Each array is cast to its column's type without length or precision: a value too long for a
    # VARCHAR(n) must fail on assignment, as in an INSERT, not be cut to fit by the cast. The arrays
    # go in binary (%b): in text, psycopg escapes each quote of a JSON value with a Python regex,
    # which made the statement seven times as costly to the client as the executemany.
    arrays = ", ".join(array_parameter(dialect, table, name) for name in columns)
    updates = [name for name in columns if name not in key]
    action = (
        "DO UPDATE SET " + ", ".join(f"{quote(name)} = excluded.{quote(name)}" for name in updates)
        if updates
        else "DO NOTHING"
    )
    # Names from the table's metadata, quoted by the dialect; the values go as parameters.
    statement = (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "  # noqa: S608
        f"({', '.join(quote(name) for name in columns)}) SELECT * FROM unnest({arrays}) "
        f"ON CONFLICT ({', '.join(quote(name) for name in key)}) {action}"
    )
    return UnnestPlan(statement, processors, bool(updates))


def array_parameter(dialect: Dialect, table: Table, name: str) -> str:
    """The placeholder of column `name`'s values as one binary array, cast to the column's type
    without its length or precision (VARCHAR(40) -> VARCHAR[], NUMERIC(5, 2) -> NUMERIC[])."""
    type_name = re.sub(r"\(.*?\)", "", table.c[name].type.compile(dialect=dialect))
    return f"%b::{type_name}[]"


def one_row_per_key(rows: Sequence[Mapping[str, Any]], key: tuple[str, ...], last: bool) -> list[Mapping[str, Any]]:
    # One statement cannot update a row twice ("ON CONFLICT DO UPDATE command cannot affect row a
    # second time"). Row by row, a key's last upsert decides its updated columns (DO UPDATE), its
    # first one the inserted row (DO NOTHING): keep that one, in the order the keys first came.
    chosen: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for row in rows:
        identity = tuple(row[name] for name in key)
        if last or identity not in chosen:
            chosen[identity] = row
    return list(chosen.values())


def execute_unnest(
    driver_connection: Any, dialect: Dialect, plan: UnnestPlan, rows: Sequence[Mapping[str, Any]]
) -> None:
    arrays = [
        [row[name] for row in rows] if process is None else [process(row[name]) for row in rows]
        for name, process in plan.columns
    ]
    with driver_errors(dialect, plan.statement), driver_connection.cursor() as cursor:
        cursor.execute(plan.statement, arrays)
