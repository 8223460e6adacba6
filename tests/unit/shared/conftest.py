"""A throwaway SQLite database with the eventing tables, and fakes of the Kafka clients."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData

from shared.contracts import CATALOG
from shared.storage.database import create_db_engine, create_session_factory
from shared.storage.tables import EventingTables, add_eventing_tables
from shared.storage.unit_of_work import UnitOfWork


@dataclass
class Store:
    engine: Engine
    tables: EventingTables

    def uow(self) -> UnitOfWork:
        return UnitOfWork(create_session_factory(self.engine), self.tables, CATALOG, producer="test")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    metadata = MetaData()
    tables = add_eventing_tables(metadata)
    engine = create_db_engine(f"sqlite:///{tmp_path}/store.db")
    metadata.create_all(engine)
    yield Store(engine, tables)
    engine.dispose()


@dataclass
class FakeRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]] = field(default_factory=list)


class FakeFuture:
    """Like kafka-python's FutureRecordMetadata: `get()` returns or raises."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error

    def get(self, timeout: float | None = None) -> None:
        if self.error is not None:
            raise self.error


class FakeProducer:
    """Records what would have been sent; unit tests only — integration tests use Kafka."""

    def __init__(self, fail: bool = False) -> None:
        self.sent: list[dict[str, Any]] = []
        self.fail = fail

    def send(
        self,
        topic: str,
        key: bytes | None = None,
        value: bytes | None = None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> FakeFuture:
        if self.fail:
            return FakeFuture(RuntimeError("broker unreachable"))
        self.sent.append({"topic": topic, "key": key, "value": value, "headers": dict(headers or [])})
        return FakeFuture()

    def flush(self, timeout: float | None = None) -> None:
        return None
