"""Helpers for the tests of the batch writes (`bulk_insert`'s COPY, `upsert`'s and `keyed_update`'s unnest)."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, Table, select

from shared.storage.database import create_db_engine


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
