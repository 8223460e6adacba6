"""Rows read once per transaction instead of once per event.

A consumer's batch reads the same few rows for many events (a tenant's webhook subscriptions, its
policies, a unit, an atasan), and can read the rows all its events need in one query up front
(`prime`, from a handler's `prefetch`). The cache lives in the session (`Session.info`), so it ends
with the transaction. Whoever writes a cached row `forget`s it, so a later read in the same
transaction sees the write; the consumer `clear`s everything when it rolls a savepoint back, so
nothing undone is served afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")

_INFO_KEY = "kinerja.session_cache"


def _space(session: Session, name: str) -> dict[Hashable, Any]:
    return session.info.setdefault(_INFO_KEY, {}).setdefault(name, {})


def cached(session: Session, name: str, key: Hashable, load: Callable[[], T]) -> T:
    """The value under `key`, loaded (and kept for the transaction) on first use. None is kept too."""
    space = _space(session, name)
    if key not in space:
        space[key] = load()
    return space[key]


def missing(session: Session, name: str, keys: Iterable[T]) -> list[T]:
    """The keys not in the cache yet (to read them in one query, then `prime`)."""
    space = _space(session, name)
    return [key for key in keys if key not in space]


def peek(session: Session, name: str, key: Hashable) -> Any:
    """The cached value, or None when it is not cached (or cached as None)."""
    return _space(session, name).get(key)


def prime(session: Session, name: str, values: Mapping[Hashable, Any]) -> None:
    """Values read in bulk; a key the bulk read did not find should be primed with None."""
    _space(session, name).update(values)


def forget(session: Session, name: str, key: Hashable) -> None:
    _space(session, name).pop(key, None)


def forget_all(session: Session, name: str) -> None:
    _space(session, name).clear()


def clear(session: Session) -> None:
    session.info.pop(_INFO_KEY, None)
