"""JSON for events on the wire and JSON columns in the stores, with orjson.

Every event is encoded once by its producer (the envelope, and its data in the event store) and
decoded by every consumer, and a consumer batch's prefetch reads JSON columns (plans, breakdowns,
decisions) by the hundred: with the standard library that was 5-8% of each worker's CPU at
year-end. orjson writes the same compact UTF-8 text as `json.dumps(..., separators=(",", ":"),
ensure_ascii=False)` — 3.5 KB `evaluation.completed`: 33 -> 3 µs to encode, 23 -> 8 µs to decode.

Where they differ, orjson is the stricter: it refuses NaN and Infinity (invalid JSON) and lone
surrogates on reading, and writes non-finite floats as null; it shortens some exponents
(`1e-7`, not `1e-07`), which every JSON reader parses to the same number. Non-string dict keys are
written as strings, as the standard library does.
"""

from __future__ import annotations

from typing import Any

import orjson

JSONDecodeError = orjson.JSONDecodeError  # a subclass of json.JSONDecodeError (and ValueError)

_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps_bytes(value: Any) -> bytes:
    return orjson.dumps(value, option=_OPTIONS)


def dumps(value: Any) -> str:
    """Text, for SQLAlchemy's JSON columns (`create_engine(json_serializer=...)`)."""
    return dumps_bytes(value).decode()


def loads(raw: bytes | bytearray | memoryview | str) -> Any:
    return orjson.loads(raw)
