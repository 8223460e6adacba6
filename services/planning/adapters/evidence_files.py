"""Bukti dukung (evidence) files kept by planning in its own database.

Files are never written to a path derived from their name and never served from a static
folder: a download goes through the API, which checks who may read the SKP. Only a short list
of document and image types is accepted, recognised by their content (magic bytes), not by name.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.planning.adapters.tables import evidence_file

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024

# (magic prefix, content type); Office files are ZIP containers, told apart by their name's suffix.
_SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),
]
_OFFICE = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# The part every Office Open XML package has, and the folder of each kind's main part.
_OFFICE_PARTS = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
ACCEPTED = "PDF, PNG, JPEG, DOCX, XLSX, PPTX"


def sniff_content_type(filename: str, content: bytes) -> str | None:
    """The file's type from its first bytes, or None if it is not an accepted type."""
    for magic, content_type in _SIGNATURES:
        if content.startswith(magic):
            if content_type != "application/zip":
                return content_type
            suffix = filename.lower()[filename.rfind(".") :] if "." in filename else ""
            return _OFFICE.get(suffix) if _is_office_package(content, suffix) else None
    return None


def _is_office_package(content: bytes, suffix: str) -> bool:
    """A readable ZIP holding [Content_Types].xml and the kind's main folder — not any ZIP renamed .xlsx."""
    if suffix not in _OFFICE_PARTS:
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith(_OFFICE_PARTS[suffix]) for n in names)


def safe_label(filename: str) -> str:
    """The name shown to people: its last path component, printable, at most 255 characters."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?').strip()
    return (cleaned or "bukti")[:255]


def store(
    session: Session, *, tenant: str, skp_id: str, owner_nip: str, filename: str, content_type: str, content: bytes
) -> dict[str, Any]:
    row = {
        "file_id": uuid.uuid4().hex,
        "tenant": tenant,
        "skp_id": skp_id,
        "owner_nip": owner_nip,
        "filename": safe_label(filename),
        "content_type": content_type,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "content": content,
        "uploaded_at": datetime.now(UTC),
    }
    session.execute(evidence_file.insert().values(row))
    return describe(row)


def describe(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("file_id", "filename", "content_type", "size")}


def find(session: Session, skp_id: str, file_id: str, *, with_content: bool = False) -> dict[str, Any] | None:
    columns = [c for c in evidence_file.c if with_content or c.name != "content"]
    query = select(*columns).where(evidence_file.c.skp_id == skp_id, evidence_file.c.file_id == file_id)
    row = session.execute(query).mappings().first()
    return dict(row) if row else None
