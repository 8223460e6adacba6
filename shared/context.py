"""The causal context of the work in progress: which request or event caused it.

Set by the web layer for each request and by the consumer for each event, read when new events
are written, so correlation_id and causation_id flow from an HTTP call to every event it causes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Trace:
    correlation_id: str
    causation_id: str | None = None


_current: ContextVar[Trace | None] = ContextVar("kinerja_trace", default=None)


def current_trace() -> Trace:
    """The active trace, or a fresh one when nothing set it (a CLI command, a test)."""
    return _current.get() or Trace(correlation_id=str(uuid.uuid4()))


@contextmanager
def traced(trace: Trace) -> Iterator[Trace]:
    token = _current.set(trace)
    try:
        yield trace
    finally:
        _current.reset(token)
