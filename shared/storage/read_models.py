"""Queries every read model needs: one row by key, and a tenant's rows filtered by equality."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, bindparam, select
from sqlalchemy.orm import Session


@functools.lru_cache(maxsize=1024)
def _by_key(table: Table, names: tuple[str, ...]) -> Select[Any]:
    # Built once per table and key, reused with new values (read models are read per event).
    return select(table).where(*(table.c[name] == bindparam(f"key_{name}") for name in names))


def find_row(session: Session, table: Table, **key: Any) -> dict[str, Any] | None:
    query = _by_key(table, tuple(key))
    found = session.execute(query, {f"key_{name}": value for name, value in key.items()}).mappings().first()
    return dict(found) if found else None


def search_rows(
    session: Session,
    table: Table,
    *,
    tenant: str,
    filters: Mapping[str, Any],
    order_by: Sequence[ColumnElement[Any]],
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The tenant's rows whose columns equal every filter given (None or "" means: no filter)."""
    query = select(table).where(table.c.tenant == tenant)
    for name, value in filters.items():
        if value not in (None, ""):
            query = query.where(table.c[name] == value)
    query = query.order_by(*order_by).limit(limit).offset(offset)
    return [dict(row) for row in session.execute(query).mappings()]
