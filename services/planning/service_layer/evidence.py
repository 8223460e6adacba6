"""Bukti dukung files of an SKP: uploaded by its owner, read by whoever may read the SKP."""

from __future__ import annotations

from typing import Any

from services.planning.adapters import evidence_files
from services.planning.service_layer.skp_queries import get_skp
from shared.auth import Principal
from shared.errors import DomainError, Forbidden, NotFound
from shared.storage.unit_of_work import UnitOfWork


class UnsupportedEvidence(DomainError):
    status = 415


def upload_evidence(
    uow: UnitOfWork, principal: Principal, skp_id: str, filename: str, content: bytes
) -> dict[str, Any]:
    skp = get_skp(uow, principal, skp_id)
    if skp["nip"] != principal.nip:
        raise Forbidden(
            "Hanya pemilik SKP yang dapat mengunggah bukti dukung.", "Only the SKP's owner may upload evidence."
        )
    content_type = evidence_files.sniff_content_type(filename, content)
    if content_type is None:
        raise UnsupportedEvidence(
            "evidence_type_not_accepted",
            f"Jenis berkas tidak diterima; gunakan {evidence_files.ACCEPTED}.",
            f"This file type is not accepted; use {evidence_files.ACCEPTED}.",
            field="file",
        )
    with uow:
        stored = evidence_files.store(
            uow.session,
            tenant=principal.tenant,
            skp_id=skp_id,
            owner_nip=principal.nip,
            filename=filename,
            content_type=content_type,
            content=content,
        )
        uow.commit()
    return stored


def download_evidence(uow: UnitOfWork, principal: Principal, skp_id: str, file_id: str) -> dict[str, Any]:
    get_skp(uow, principal, skp_id)
    with uow:
        found = evidence_files.find(uow.session, skp_id, file_id, with_content=True)
    if found is None:
        raise NotFound("berkas bukti dukung", "evidence file", file_id)
    return found
