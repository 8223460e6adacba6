"""Helpers for the tests of the batch writes (`bulk_insert`'s COPY, `upsert`'s and `keyed_update`'s unnest)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import JSON, Boolean, Column, DateTime, Engine, Integer, MetaData, Numeric, Table, Text, select
from sqlalchemy.dialects.postgresql import JSONB

from shared.storage.database import create_db_engine

START = datetime(2026, 12, 31, 23, 59, 59, 123456, tzinfo=UTC)
# Text that an array literal or its escaping could get wrong (the unnest statements' arrays).
ARRAY_AWKWARD_TEXT = 'tab\there, {braces}, "quotes", back\\slash, NULL, Palembang – Tangerang Selatan ✓'


def typed_columns() -> list[Column[Any]]:
    """The value columns the batch-write tests store and compare: text, JSON (JSONB on PostgreSQL),
    a timestamp, numbers and a boolean, some nullable."""
    return [
        Column("body", Text, nullable=False),
        Column("data", JSON, nullable=False),
        Column("doc", JSON().with_variant(JSONB(), "postgresql"), nullable=True),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("n", Integer, nullable=True),
        Column("ok", Boolean, nullable=False),
        Column("amount", Numeric(14, 2), nullable=True),
    ]


def engine_with_tables(database_url: str, metadata: MetaData) -> Iterator[Engine]:
    """An engine on a fresh database with `metadata`'s tables, disposed after (for a fixture)."""
    engine = create_db_engine(database_url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def count_rows_sent(monkeypatch: pytest.MonkeyPatch, module: ModuleType, function: str) -> list[int]:
    """Rows per call of `module.function` (still the real one), whose last argument is the rows."""
    sent: list[int] = []
    real = getattr(module, function)

    def counted(*args: Any) -> None:
        real(*args)
        sent.append(len(args[-1]))

    monkeypatch.setattr(module, function, counted)
    return sent


def stored_rows(engine: Engine, table: Table, order_by: str) -> list[tuple[Any, ...]]:
    """Every row of `table`, as tuples in column order, sorted by column `order_by`."""
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(table).order_by(table.c[order_by]))]
