"""A small JSON-over-HTTP client for driving the services' APIs in end-to-end tests."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


def call(
    method: str, url: str, token: str | None = None, body: Any = None, headers: dict[str, str] | None = None
) -> Reply:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - our own services
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            raw = response.read()
            return Reply(response.status, json.loads(raw) if raw else None, dict(response.headers))
    except urllib.error.HTTPError as error:
        raw = error.read()
        return Reply(error.code, json.loads(raw) if raw else None, dict(error.headers))


def eventually(probe: Callable[[], Any], what: str, timeout_s: float = 60.0, interval_s: float = 0.25) -> Any:
    """Poll until `probe()` returns something truthy; fail with `what` and the last value otherwise."""
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what}; last value: {last!r}")
