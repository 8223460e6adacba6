"""The service's notion of now (UTC), in one place so tests can move it (appeal windows, complaints)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
