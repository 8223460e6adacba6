"""Signing and verifying Kinerja webhook deliveries (HMAC-SHA256 over "<timestamp>.<body>").

Every delivery carries:
- ``X-Kinerja-Timestamp``: Unix seconds when it was signed;
- ``X-Kinerja-Signature``: ``v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>``;
- ``X-Kinerja-Event-Id`` / ``X-Kinerja-Event-Type`` / ``X-Kinerja-Delivery-Id``.

A subscriber recomputes the HMAC over the raw body bytes exactly as received, compares in
constant time, and refuses timestamps outside the replay window (default 300 s either side).
Remember the event ids already handled: a retried delivery carries the same event id.
This module has no dependency beyond the standard library so that subscribers can copy it.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Kinerja-Signature"
TIMESTAMP_HEADER = "X-Kinerja-Timestamp"
EVENT_ID_HEADER = "X-Kinerja-Event-Id"
EVENT_TYPE_HEADER = "X-Kinerja-Event-Type"
DELIVERY_ID_HEADER = "X-Kinerja-Delivery-Id"
SCHEME = "v1"
DEFAULT_TOLERANCE_S = 300


def _as_bytes(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


def sign(secret: str, timestamp: int, body: bytes | str) -> str:
    """The value of X-Kinerja-Signature for this body at this timestamp."""
    message = str(int(timestamp)).encode("ascii") + b"." + _as_bytes(body)
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def verify_signature(
    secret: str,
    body: bytes | str,
    signature: str | None,
    timestamp: str | int | None,
    *,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> bool:
    """True when `signature` is ours for `body` at `timestamp` and the timestamp is within the window.

    `signature` may list several comma-separated values (during a secret rotation any may match).
    """
    if not secret or not signature or timestamp is None:
        return False
    try:
        ts = int(str(timestamp).strip())
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - ts) > tolerance_s:
        return False
    expected = sign(secret, ts, body)
    return any(hmac.compare_digest(expected, candidate.strip()) for candidate in signature.split(","))
