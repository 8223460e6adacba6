"""Rules of agency webhook subscriptions: where deliveries may go and which events may be asked for."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from shared.errors import DomainError

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def _refuse(code: str, message_id: str, message_en: str, field: str) -> DomainError:
    return DomainError(code, message_id, message_en, field)


def validate_endpoint(url: str, *, allow_http_localhost: bool) -> str:
    """HTTPS only; plain http only to this machine, and only when the operator allows it (dev, tests)."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        _ = parts.port  # a junk port raises here
    except ValueError as exc:
        raise _refuse("webhook_url", "URL tidak valid.", f"Invalid URL: {exc}", "url") from None
    if parts.username or parts.password:
        raise _refuse(
            "webhook_url", "URL tidak boleh memuat kredensial.", "The URL must not contain credentials.", "url"
        )
    if not host:
        raise _refuse("webhook_url", "URL harus menyebut host.", "The URL needs a host.", "url")
    if parts.scheme == "https":
        return url.strip()
    if parts.scheme == "http" and host in LOCAL_HOSTS and allow_http_localhost:
        return url.strip()
    raise _refuse(
        "webhook_url_https",
        "Endpoint webhook harus memakai HTTPS.",
        "A webhook endpoint must use HTTPS (plain http only to localhost, when the operator allows it).",
        "url",
    )


def validate_event_types(requested: Iterable[str], known: Iterable[str]) -> list[str]:
    wanted = sorted(set(requested))
    unknown = sorted(set(wanted) - set(known))
    if not wanted:
        raise _refuse(
            "webhook_event_types", "Pilih minimal satu jenis event.", "Choose at least one event type.", "event_types"
        )
    if unknown:
        raise _refuse(
            "webhook_event_types",
            f"Jenis event tidak dikenal: {', '.join(unknown)}.",
            f"Unknown event types: {', '.join(unknown)}.",
            "event_types",
        )
    return wanted


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)
