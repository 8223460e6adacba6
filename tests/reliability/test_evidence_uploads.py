"""Uploaded evidence (bukti dukung): hostile names, disguised types and other instansi — the file lands
in planning's database (no file is written anywhere), its name is only a label (never a path, never a
header injection), the type is recognised by content, and nobody outside the plan reads it."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from services.planning.adapters.tables import evidence_file
from tests.unit.planning.fixtures import ANDI, BUDI, SITI, PlanningApi, draft, planning_api, rhk
from tests.unit.planning.test_skp_api import BUDI_RHK, approved_skp

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HOSTILE_NAMES = [
    "../../../../tmp/kinerja-pwned.pdf",
    "..\\..\\windows\\system32\\x.pdf",
    "/etc/cron.d/job.pdf",
    "a\r\nSet-Cookie: session=stolen.pdf",
    "nul\x00byte.pdf",
    "‮fdp.exe",  # right-to-left override
    "x" * 1000 + ".pdf",
    "",
    ".",
    "CON.pdf",
]


@pytest.fixture
def api(tmp_path):
    yield from planning_api(tmp_path)


def files_under(*roots: Path) -> set[Path]:
    return {p for root in roots for p in root.rglob("*") if p.is_file()}


def test_hostile_names_are_labels_the_file_lives_in_the_database_only(api: PlanningApi, tmp_path: Path) -> None:
    created = draft(api, BUDI, BUDI_RHK)
    skp = approved_skp(api, created.json["rhk"][0]["rhk_id"])
    url = f"/api/v1/skp/{skp['skp_id']}/evidence"
    cwd = Path(os.getcwd())
    before = files_under(tmp_path) | {p for p in cwd.iterdir() if p.is_file()}
    uploaded = []
    for name in HOSTILE_NAMES:
        response = api.client.post(
            url,
            data={"file": (io.BytesIO(PDF), name)},
            headers=api.auth(SITI),
            content_type="multipart/form-data",
        )
        assert response.status_code in (201, 422), (name, response.status_code, response.json)
        if response.status_code == 201:
            label = response.json["filename"]
            assert "/" not in label
            assert "\\" not in label
            assert not any(ch in label for ch in "\r\n\x00")
            assert len(label) <= 255
            uploaded.append(response.json["file_id"])
            download = api.client.get(f"{url}/{response.json['file_id']}", headers=api.auth(SITI))
            assert download.status_code == 200
            assert download.data == PDF
            disposition = download.headers["Content-Disposition"]
            assert disposition.startswith("attachment")
            assert "\r" not in disposition
            assert "\n" not in disposition
            assert "Set-Cookie" not in download.headers
        else:
            assert response.json["error"]["status"] == 422
    assert len(uploaded) >= len(HOSTILE_NAMES) - 3
    assert not Path("/tmp/kinerja-pwned.pdf").exists()
    # Nothing was written to disk beside the database (SQLite's own files): the bytes are in the table.
    after = files_under(tmp_path) | {p for p in cwd.iterdir() if p.is_file()}
    assert {p for p in after - before if not p.name.startswith("planning.db")} == set()
    with api.runtime.engine.connect() as conn:
        rows = conn.execute(select(evidence_file).where(evidence_file.c.file_id.in_(uploaded))).mappings().all()
    assert len(rows) == len(uploaded)
    assert all(bytes(r["content"]) == PDF for r in rows)


def test_types_are_recognised_by_content_and_other_readers_are_refused(api: PlanningApi) -> None:
    created = draft(api, BUDI, BUDI_RHK)
    skp = approved_skp(api, created.json["rhk"][0]["rhk_id"])
    url = f"/api/v1/skp/{skp['skp_id']}/evidence"

    def upload(name: str, content: bytes, nip: str = SITI, tenant: str = "1671"):
        return api.client.post(
            url,
            data={"file": (io.BytesIO(content), name)},
            headers=api.auth(nip, tenant=tenant),
            content_type="multipart/form-data",
        )

    for name, content in [
        ("laporan.pdf", b"<html><script>alert(1)</script></html>"),
        ("foto.png", b"GIF89a" + b"\x00" * 10),
        ("tabel.xlsx", b"PK\x03\x04 not really"),
        ("skrip.pdf", b"#!/bin/sh\nrm -rf /\n"),
        ("kosong.pdf", b""),
    ]:
        refused = upload(name, content)
        assert refused.status_code in (415, 422), (name, refused.status_code)
        assert refused.json["error"]["status"] == refused.status_code
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("payload.sh", "rm -rf /")
    refused = upload("tabel.xlsx", plain_zip.getvalue())  # any ZIP renamed .xlsx used to pass
    assert refused.status_code == 415
    workbook = io.BytesIO()
    openpyxl.Workbook().save(workbook)
    accepted = upload("capaian.xlsx", workbook.getvalue())
    assert accepted.status_code == 201
    assert accepted.json["content_type"].endswith("spreadsheetml.sheet")
    assert upload("capaian.docx", workbook.getvalue()).status_code == 415  # a workbook is no Word document
    png = upload("bukan-pdf.pdf", PNG)  # a PNG named .pdf is stored as what it is
    assert png.status_code == 201
    assert png.json["content_type"] == "image/png"
    file_url = f"{url}/{png.json['file_id']}"
    assert api.client.get(file_url, headers=api.auth(ANDI)).status_code == 403  # a colleague, not the atasan
    other = api.client.get(file_url, headers=api.auth(SITI, tenant="3674"))
    assert other.status_code == 404  # another instansi: not found, even for the same NIP
    assert upload("x.pdf", PDF, tenant="3674").status_code == 404
    assert rhk  # the fixture's helpers are the planning API tests' own
