"""Alembic operations that choose how PostgreSQL compresses a table's long values (TOAST).

PostgreSQL compresses a value when its row passes ~2 KB. Its default method, pglz, is slow to
write: inserting 10,000 outbox rows of `evaluation.completed` (3.5 KB each) took 360–480 ms with
pglz, 100–127 ms with lz4 and 93–110 ms uncompressed. At year-end each employee's result is
compressed five times: its outbox row, its event, its breakdown and explanation, and rewards'
ledger copy. lz4 stores that event nearly as small (1.7 KB against pglz's 1.5 KB).

A column's method is part of the schema (PostgreSQL 14 and later, built with lz4, as Debian's
packages and the official images are); values already stored keep theirs and stay readable. Where
lz4 is not there (an older or differently built server, SQLite) these operations do nothing, and
the server keeps its default.

Every service runs `compress_with_lz4` in one revision for the tables it had then. A later
revision that creates a table with long values calls it too, naming the table:
tests/integration/test_migrations.py checks that no compressible column is left with the default.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

# Columns PostgreSQL may compress: storage 'x' (extended: compress, then move out of line) and
# 'm' (main: compress only). Alembic's own version tables hold one short text.
_COMPRESSIBLE_COLUMNS = sa.text(
    """
    SELECT c.relname, a.attname
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname NOT LIKE 'alembic_version%'
      AND a.attnum > 0 AND NOT a.attisdropped AND a.attstorage IN ('x', 'm')
    ORDER BY c.relname, a.attnum
    """
)
_LZ4_AVAILABLE = sa.text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")


def lz4_available(bind: Connection) -> bool:
    """PostgreSQL 14+ built with lz4 (`default_toast_compression` offers it)."""
    return bind.dialect.name == "postgresql" and bool(bind.execute(_LZ4_AVAILABLE).scalar())


def compressible_columns(bind: Connection, tables: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """(table, column) of every column PostgreSQL may compress, in `tables` or in every table."""
    rows = [(table, column) for table, column in bind.execute(_COMPRESSIBLE_COLUMNS)]
    return rows if tables is None else [row for row in rows if row[0] in tables]


def _set_compression(method: str, tables: Sequence[str] | None) -> None:
    bind = op.get_bind()
    if not lz4_available(bind):
        return
    preparer = bind.dialect.identifier_preparer
    for table, column in compressible_columns(bind, tables):
        # Catalog changes only: no row is rewritten, the lock lasts as long as the statement.
        op.execute(
            f"ALTER TABLE {preparer.quote(table)} ALTER COLUMN {preparer.quote(column)} SET COMPRESSION {method}"
        )


def compress_with_lz4(tables: Sequence[str] | None = None) -> None:
    """New long values of these tables' columns (default: every table now in the schema) by lz4."""
    _set_compression("lz4", tables)


def compress_with_default(tables: Sequence[str] | None = None) -> None:
    """Back to the server's `default_toast_compression` (the downgrade of `compress_with_lz4`)."""
    _set_compression("default", tables)
