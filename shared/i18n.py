"""Language choice for what people read: Bahasa Indonesia by default, English on request."""

from __future__ import annotations

DEFAULT_LANGUAGE = "id"
SUPPORTED = ("id", "en")


def pick_language(query_lang: str | None, accept_language: str | None) -> str:
    """`?lang=` wins, then the first supported language in Accept-Language, then Indonesian."""
    if query_lang in SUPPORTED:
        return query_lang
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in SUPPORTED:
            return tag
    return DEFAULT_LANGUAGE
