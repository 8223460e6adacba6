"""Session harness: real Kafka and PostgreSQL for integration and end-to-end tests.

Each backend starts lazily, once per session, the first time a test asks for its fixture, from
the first source available:

* ``kafka_bootstrap``: ``$KINERJA_TEST_KAFKA_BOOTSTRAP``; else a testcontainers ``KafkaContainer``
  (KRaft) when a Docker engine answers; else a local :class:`deploy.local.kafka_broker.KafkaBroker`.
* ``postgres``: ``$KINERJA_TEST_DATABASE_URL`` (a server URL whose user may CREATE DATABASE); else
  a testcontainers ``PostgresContainer``; else a local
  :class:`deploy.local.postgres_server.PostgresServer`.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PSYCOPG_DRIVER = "postgresql+psycopg"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "integration: needs real Kafka and/or PostgreSQL (started by tests/conftest.py)")
    config.addinivalue_line("markers", "e2e: end-to-end, runs the services as separate processes")
    # kafka-python loads its protocol schemas with importlib.resources.read_text(); the nested
    # open_text() warning is attributed to importlib, so "ignore::DeprecationWarning:kafka.*" misses it.
    config.addinivalue_line("filterwarnings", "ignore:open_text is deprecated:DeprecationWarning")


@functools.cache
def docker_available() -> bool:
    """Whether a Docker engine answers ``docker info`` quickly (the CLI alone is not enough)."""
    if shutil.which("docker") is None:
        return False
    try:
        proc = subprocess.run(["docker", "info"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


# -- Kafka ---------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """Bootstrap servers (``host:port``) of a Kafka cluster for this test session."""
    external = os.environ.get("KINERJA_TEST_KAFKA_BOOTSTRAP")
    if external:
        yield external
    elif docker_available():
        from testcontainers.community.kafka import KafkaContainer

        image = os.environ.get("KINERJA_TEST_KAFKA_IMAGE", "confluentinc/cp-kafka:7.6.0")
        with KafkaContainer(image).with_kraft() as container:
            yield container.get_bootstrap_server()
    else:
        from deploy.local.kafka_broker import KafkaBroker

        with KafkaBroker() as broker:
            yield broker.bootstrap_servers


# -- PostgreSQL ----------------------------------------------------------------------------
class DatabaseFactory:
    """Creates brand-new, empty databases on one PostgreSQL server."""

    def __init__(self, server_url: str) -> None:
        from sqlalchemy.engine import make_url

        self.server_url = make_url(server_url).set(drivername=PSYCOPG_DRIVER)
        self._counter = itertools.count(1)
        self._run = uuid.uuid4().hex[:6]

    def new_database(self, prefix: str) -> str:
        """CREATE DATABASE ``<prefix>_<run>_<n>`` and return its SQLAlchemy URL (``postgresql+psycopg``)."""
        import psycopg
        from psycopg import sql

        clean = re.sub(r"[^a-z0-9_]", "_", prefix.lower()).strip("_") or "db"
        if clean[0].isdigit():
            clean = f"db_{clean}"
        name = f"{clean[:40]}_{self._run}_{next(self._counter)}"
        url = self.server_url
        with psycopg.connect(
            host=url.host or "127.0.0.1",
            port=url.port or 5432,
            user=url.username,
            password=url.password,
            dbname=url.database or "postgres",
            autocommit=True,
        ) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres() -> Iterator[DatabaseFactory]:
    """A PostgreSQL server for this test session; ``postgres.new_database(prefix)`` -> URL."""
    external = os.environ.get("KINERJA_TEST_DATABASE_URL")
    if external:
        yield DatabaseFactory(external)
    elif docker_available():
        from testcontainers.community.postgres import PostgresContainer

        image = os.environ.get("KINERJA_TEST_POSTGRES_IMAGE", "postgres:15-alpine")
        with PostgresContainer(image, driver="psycopg") as container:
            yield DatabaseFactory(container.get_connection_url())
    else:
        from deploy.local.postgres_server import PostgresServer

        with PostgresServer() as server:
            yield DatabaseFactory(server.url())


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database of each kind the services run on: a PostgreSQL database (the ``postgres``
    server, started only for this parameter) and a SQLite file."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgres").new_database(request.node.module.__name__.rsplit(".", 1)[-1])
    return f"sqlite:///{tmp_path / 'test.db'}"
