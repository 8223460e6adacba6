"""Field types reused across event payloads and API schemas."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from marshmallow import fields, validate

from shared.contracts.vocabulary import values

NIP_PATTERN = r"^\d{18}$"


def nip_field(**kwargs: Any) -> fields.String:
    """An NIP as text (18 digits); never a number, spreadsheets drop the leading zeros."""
    return fields.String(
        validate=validate.Regexp(NIP_PATTERN, error="NIP harus 18 digit angka / NIP must be 18 digits."),
        **kwargs,
    )


def choice(enum: type[StrEnum], **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(values(enum)), **kwargs)


def text(max_length: int, **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)


def year_field(*, strict: bool = True, **kwargs: Any) -> fields.Integer:
    """A period year. Strict (a JSON number, not "2026") in bodies; pass strict=False for query strings."""
    return fields.Integer(strict=strict, validate=validate.Range(min=2000, max=2100), **kwargs)


MAX_OFFSET = 1_000_000_000  # beyond this a database driver overflows; no list is that long


def limit_field(default: int, maximum: int) -> fields.Integer:
    """A page size for list queries."""
    return fields.Integer(load_default=default, validate=validate.Range(min=1, max=maximum))


def offset_field() -> fields.Integer:
    """Where a page starts in a list query."""
    return fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET))
