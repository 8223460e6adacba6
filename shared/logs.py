"""Structured JSON logs, one object per line, carrying the active correlation and causation ids."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime

from shared.context import _current


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "service": self._service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        trace = _current.get()
        if trace is not None:
            entry["correlation_id"] = trace.correlation_id
            entry["causation_id"] = trace.causation_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(service: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
    logging.getLogger("kafka").setLevel(logging.WARNING)  # kafka-python is chatty at INFO
