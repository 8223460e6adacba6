"""Exceptions shared by the services, each mapped to one HTTP status by the web layer."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the command. `code` is stable; the messages are for people."""

    status = 409

    def __init__(self, code: str, message_id: str, message_en: str, field: str | None = None) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_id = message_id
        self.message_en = message_en
        self.field = field


class NotFound(DomainError):
    status = 404

    def __init__(self, what_id: str, what_en: str, key: str) -> None:
        super().__init__(
            "not_found",
            f"{what_id} '{key}' tidak ditemukan.",
            f"{what_en} '{key}' not found.",
        )


class Forbidden(DomainError):
    status = 403

    def __init__(self, message_id: str, message_en: str) -> None:
        super().__init__("forbidden", message_id, message_en)


class ConcurrencyConflict(DomainError):
    """Another command changed the same aggregate first (optimistic concurrency)."""

    status = 409

    def __init__(self, aggregate_id: str, expected_version: int) -> None:
        super().__init__(
            "concurrency_conflict",
            f"Data '{aggregate_id}' baru saja diubah oleh proses lain (versi {expected_version + 1} "
            "sudah terpakai). Muat ulang lalu coba lagi.",
            f"'{aggregate_id}' was changed concurrently (version {expected_version + 1} is taken). "
            "Reload and try again.",
        )
        self.aggregate_id = aggregate_id
        self.expected_version = expected_version
