"""Process configuration, read from environment variables only (twelve-factor).

Every variable has a default that works for a local run on one machine; production deployments
override them (see README, "Configuration").
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from shared.gc_policy import WORKER_THRESHOLDS, parse_thresholds

DEV_JWT_SECRET = "kinerja-dev-secret-change-me-0123456789"  # noqa: S105 - local runs only


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"environment variable {name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    """What one service process needs to know about its surroundings."""

    service: str
    database_url: str
    kafka_bootstrap_servers: str
    topic_partitions: int
    jwt_secret: str
    jwt_issuer: str
    jwt_audience: str
    consumer_max_attempts: int
    relay_batch_size: int
    # The worker's /metrics port (0: no metrics server). The web process serves /metrics on its own port.
    metrics_port: int = 9100
    # Verification keys still accepted after a rotation (JWT_PREVIOUS_SECRETS, comma-separated): tokens
    # signed with an old key stay valid until they expire, new tokens are signed with jwt_secret only.
    jwt_previous_secrets: tuple[str, ...] = ()
    # Events per consumer transaction (1: one transaction per event). See shared/messaging/consumer.py.
    consumer_batch_size: int = 200
    # The worker's garbage-collector thresholds once started (None: CPython's own). See shared/gc_policy.py.
    worker_gc_thresholds: tuple[int, int, int] | None = WORKER_THRESHOLDS

    @classmethod
    def from_env(cls, service: str) -> Settings:
        default_db = Path(os.environ.get("KINERJA_VAR_DIR", "var")) / f"{service}.db"
        return cls(
            service=service,
            database_url=os.environ.get("DATABASE_URL", f"sqlite:///{default_db}"),
            kafka_bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
            topic_partitions=_int("KAFKA_TOPIC_PARTITIONS", 6),
            jwt_secret=os.environ.get("JWT_SECRET", DEV_JWT_SECRET),
            jwt_issuer=os.environ.get("JWT_ISSUER", "kinerja"),
            jwt_audience=os.environ.get("JWT_AUDIENCE", "kinerja-api"),
            consumer_max_attempts=_int("CONSUMER_MAX_ATTEMPTS", 3),
            relay_batch_size=_int("OUTBOX_RELAY_BATCH_SIZE", 500),
            consumer_batch_size=_int("CONSUMER_BATCH_SIZE", 200),
            metrics_port=_int("METRICS_PORT", 9100),
            worker_gc_thresholds=parse_thresholds(os.environ.get("WORKER_GC_THRESHOLDS")),
            jwt_previous_secrets=tuple(
                key.strip() for key in os.environ.get("JWT_PREVIOUS_SECRETS", "").split(",") if key.strip()
            ),
        )
