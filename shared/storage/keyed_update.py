"""Updates of rows found by their key, a batch of them in one statement.

At year-end evaluation records an outcome on every employee's close item: 9,999 UPDATEs a close,
one per row (psycopg's executemany: each adapted and framed by the client, executed by the server
on its own). On PostgreSQL through psycopg a batch of them is one statement instead,

    UPDATE t SET c = v.c, … FROM unnest(:arrays) AS v(k, …, c, …) WHERE t.k = v.k AND …

with the arrays in binary, as `upsert.upsert_many` sends a batch's upserts (docs/scaling.md, fixes
31 and 32). Elsewhere, and for a handful of rows, the same rows go as one executemany of an
`update_statement`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Executable, Table, bindparam, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from shared.storage import upsert
from shared.storage.bulk_insert import driver_columns

# A key column's bind parameter: SQLAlchemy reserves a column's own name for the SET clause.
_KEY_PREFIX = "key_"


class UpdateSpec(NamedTuple):
    table: Table
    key: tuple[str, ...]


_SPECS: dict[Executable, UpdateSpec] = {}  # statement -> what it updates (see `spec_of`)


@functools.lru_cache(maxsize=512)
def update_statement(table: Table, columns: tuple[str, ...], key: tuple[str, ...]) -> Executable:
    """`UPDATE table SET <columns but the key> WHERE <key> = …`, one object per (table, columns,
    key). Its parameters are `bind_parameters(row, key)`."""
    if not set(key) <= set(columns) or set(columns) == set(key):
        raise ValueError(f"an update of {table.name} needs its key {key} and a column to set, got {columns}")
    if taken := {_KEY_PREFIX + name for name in key} & set(columns):
        raise ValueError(f"columns {sorted(taken)} of {table.name} clash with the names of its key's parameters")
    statement = (
        update(table)
        .where(*(table.c[name] == bindparam(_KEY_PREFIX + name) for name in key))
        .values({name: bindparam(name) for name in columns if name not in key})
    )
    _SPECS[statement] = UpdateSpec(table, key)
    return statement


def bind_parameters(row: Mapping[str, Any], key: Sequence[str]) -> dict[str, Any]:
    """`row` (column -> value) as the parameters of its `update_statement`."""
    return {(_KEY_PREFIX + name if name in key else name): value for name, value in row.items()}


def spec_of(statement: Executable) -> UpdateSpec | None:
    """What `statement` updates, if it is an `update_statement` (its rows can go to `update_many`)."""
    return _SPECS.get(statement)


def update_many(session: Session, table: Table, rows: Sequence[Mapping[str, Any]], key: Sequence[str]) -> None:
    """Set each row's other columns on the row of `table` with its key, in the order given: a key
    updated twice ends with its last row; a key not in the table changes nothing. Every row has
    the same columns. On PostgreSQL (psycopg) one unnest statement from `upsert.UNNEST_FROM_ROWS`
    rows, else one executemany."""
    if not rows:
        return
    columns, key = tuple(rows[0]), tuple(key)
    if len(rows) >= upsert.UNNEST_FROM_ROWS and all(row.keys() == rows[0].keys() for row in rows):
        connection = session.connection()
        plan = _unnest_plan(connection.dialect, table, columns, key)
        if plan is not None:
            # One UPDATE … FROM changes a target row once, with whichever of its source rows comes
            # first: keep a key's last row, which row by row would have the final say.
            rows = upsert.one_row_per_key(rows, key, last=True)
            upsert.execute_unnest(connection.connection.driver_connection, connection.dialect, plan, rows)
            return
    session.execute(update_statement(table, columns, key), [bind_parameters(row, key) for row in rows])


@functools.lru_cache(maxsize=512)
def _unnest_plan(
    dialect: Dialect, table: Table, columns: tuple[str, ...], key: tuple[str, ...]
) -> upsert.UnnestPlan | None:
    """The unnest statement and the columns' bind processors, or None where it would not store what
    `update_statement` stores (or the driver is not psycopg)."""
    update_statement(table, columns, key)  # refuses a key missing from the columns, or nothing to set
    processors = driver_columns(dialect, table, columns, writing="update")
    if processors is None:
        return None
    quote = dialect.identifier_preparer.quote
    target = dialect.identifier_preparer.format_table(table)
    # Arrays cast as `upsert` casts them: a value too long for its column fails as in an UPDATE.
    arrays = ", ".join(upsert.array_parameter(dialect, table, name) for name in columns)
    # Names from the table's metadata, quoted by the dialect; the values go as parameters.
    statement = (
        f"UPDATE {target} SET "  # noqa: S608
        + ", ".join(f"{quote(name)} = v.{quote(name)}" for name in columns if name not in key)
        + f" FROM unnest({arrays}) AS v({', '.join(quote(name) for name in columns)}) WHERE "
        + " AND ".join(f"{target}.{quote(name)} = v.{quote(name)}" for name in key)
    )
    return upsert.UnnestPlan(statement, processors, updates=True)
