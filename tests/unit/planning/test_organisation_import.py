"""Reading organisation files (CSV, .xlsx, bad cells) and the import rules, on a SQLite file."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from services.planning.adapters.org_import import UnreadableFile, read_rows, template_csv, template_xlsx
from services.planning.adapters.tables import employee_view, eventing
from services.planning.bootstrap import create_app
from services.planning.entrypoints.organisation_cli import run_import
from services.planning.service_layer.org_import import import_organisation
from shared.runtime import ServiceRuntime
from tests.unit.planning.organisation_factory import as_csv, organisation
from tests.unit.service_harness import bearer, sqlite_runtime

SEKDA, KADIS, STAFF = "197001011995031001", "197505052000031002", "199001012015032005"
HEADER = ",".join(
    ["NIP", "Nama", "Jenis Pegawai", "Kode Unit", "Nama Unit", "Kode Unit Induk", "Jabatan", "Jenis Jabatan",
     "Jenjang", "Kepala Unit", "NIP Atasan", "Email"]
)  # fmt: skip
ROWS = [
    f"{SEKDA},Sekda,PNS,SETDA,Sekretariat Daerah,,Sekretaris Daerah,JPT,,Ya,,",
    f"{KADIS},Kadis,PNS,DINKES,Dinas Kesehatan,SETDA,Kepala Dinas,JPT,,Ya,{SEKDA},kadis@example.go.id",
    f"{STAFF},Siti,PNS,DINKES,Dinas Kesehatan,SETDA,Pengelola Data,Pelaksana,,Tidak,{KADIS},",
]


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows]).encode()


@pytest.fixture
def runtime(tmp_path: Path):
    with sqlite_runtime("planning", tmp_path) as runtime:
        yield runtime


def run(runtime: ServiceRuntime, data: bytes, name: str = "org.csv", **options: Any):
    return import_organisation(runtime.uow(), "1671", "admin", read_rows(name, data), **options)


def outbox(runtime: ServiceRuntime) -> list[tuple[str, dict[str, Any]]]:
    with runtime.engine.connect() as conn:
        rows = conn.execute(
            select(eventing.outbox.c.event_type, eventing.outbox.c.value).order_by(eventing.outbox.c.id)
        )
        return [(t, json.loads(v)["payload"]) for t, v in rows]


def counts(runtime: ServiceRuntime) -> tuple[int, int, int]:
    with runtime.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (eventing.event_store, eventing.outbox, employee_view)
        )


# -- reading files ------------------------------------------------------------------------------
def test_csv_with_indonesian_headers_semicolons_and_a_bom_is_read_as_text() -> None:
    data = "\ufeffNIP;Nama;Kode Unit\n 197001011995031001 ;Sekda;SETDA\n;;\n".encode()
    rows = read_rows("org.csv", data)
    assert len(rows) == 1
    assert rows[0].line == 2
    assert (rows[0].values["nip"], rows[0].values["unit_id"], rows[0].problems) == (SEKDA, "SETDA", [])


@pytest.mark.parametrize(
    ("cell", "code"),
    [("1.97001E+17", "nip_scientific_notation"), ("197001011995031001.0", "nip_decimal"),
     ("97001011995031001", "nip_leading_zeros_lost")],
)  # fmt: skip
def test_nips_mangled_by_a_spreadsheet_are_reported_not_repaired(cell: str, code: str) -> None:
    rows = read_rows("org.csv", f"NIP,Kode Unit\n{cell},X\n".encode())
    assert [(p.field, p.code) for p in rows[0].problems] == [("nip", code)]
    assert rows[0].values["nip"] is None


def xlsx(rows: list[list[Any]], text_nip: bool = True) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if text_nip:
        for cell in sheet["A"]:
            cell.number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_numeric_nip_cells_are_refused_and_text_cells_kept() -> None:
    data = xlsx(
        [["NIP", "Kode Unit", "NIP Atasan"], [SEKDA, "SETDA", None], [199001012015032005, "X", 197001011995031001]]
    )
    first, second = read_rows("org.xlsx", data)
    assert first.values["nip"] == SEKDA
    assert first.problems == []
    assert {(p.field, p.code) for p in second.problems} == {
        ("nip", "nip_numeric_cell"),
        ("atasan_nip", "nip_numeric_cell"),
    }


def test_unreadable_files_and_missing_columns_are_refused_with_a_code() -> None:
    for name, data, code in [
        ("org.xlsx", b"PK\x03\x04 not really a zip", "import_unreadable"),
        ("org.csv", b"Nama,Jabatan\nA,B\n", "import_columns_missing"),
        ("org.pdf", b"%PDF-1.4", "import_format_unsupported"),
        ("org.csv", b"", "import_empty"),
    ]:
        with pytest.raises(UnreadableFile) as caught:
            read_rows(name, data)
        assert caught.value.code == code


def test_the_templates_are_importable_as_they_are(runtime: ServiceRuntime) -> None:
    assert run(runtime, template_xlsx(), "template.xlsx", dry_run=True).rejected == []
    report = run(runtime, template_csv(), "template.csv")
    assert (report.stored, report.rejected, report.employees_registered, report.units_registered) == (True, [], 3, 3)


# -- import rules -------------------------------------------------------------------------------
def test_import_registers_units_and_employees_with_their_events(runtime: ServiceRuntime) -> None:
    report = run(runtime, csv_file(*ROWS))
    assert report.employees_without_valid_atasan == 0
    assert (report.stored, report.units_registered, report.employees_registered, report.events_published) == (
        True, 2, 3, 5,
    )  # fmt: skip
    events = outbox(runtime)
    assert [t for t, _ in events] == ["unit.registered"] * 2 + ["employee.registered"] * 3
    staff = events[-1][1]
    assert (staff["unit_name"], staff["atasan_name"], staff["position_kind"], staff["employee_type"]) == (
        "Dinas Kesehatan", "Kadis", "pelaksana", "pns",
    )  # fmt: skip


def test_reimporting_the_same_file_changes_and_publishes_nothing(runtime: ServiceRuntime) -> None:
    run(runtime, csv_file(*ROWS))
    before = counts(runtime)
    report = run(runtime, csv_file(*ROWS))
    assert (report.employees_unchanged, report.events_published) == (3, 0)
    assert counts(runtime) == before


def test_a_changed_row_gives_moved_atasan_changed_and_updated(runtime: ServiceRuntime) -> None:
    run(runtime, csv_file(*ROWS))
    changed = f"{STAFF},Siti Aminah,PNS,UMUM,Bagian Umum,SETDA,Analis,Pelaksana,,Tidak,{SEKDA},"
    report = run(runtime, csv_file(*ROWS[:2], changed))
    assert (report.units_registered, report.employees_moved, report.employees_atasan_changed) == (1, 1, 1)
    assert report.employees_updated == 1
    assert report.employees_unchanged == 2
    new = [(t, p) for t, p in outbox(runtime)][5:]
    assert [t for t, _ in new] == ["unit.registered", "employee.moved", "employee.atasan_changed", "employee.updated"]
    assert new[1][1]["from_unit_id"] == "DINKES"
    assert new[2][1]["from_atasan_nip"] == KADIS
    assert new[3][1]["changed"] == ["name"]
    peer = f"{STAFF},Siti Aminah,PNS,UMUM,Bagian Umum,SETDA,Analis,Pelaksana,,Tidak,{KADIS},"
    no_atasan = ROWS[1].replace(f",{SEKDA},", ",,")
    report = run(runtime, csv_file(ROWS[0], no_atasan, peer), dry_run=True)
    assert report.employees_without_valid_atasan == 1  # the kepala dinas, now without the Sekda above
    assert new[3][1]["name"] == "Siti Aminah"


def test_atasan_may_be_in_a_later_row_of_the_file(runtime: ServiceRuntime) -> None:
    assert run(runtime, csv_file(*reversed(ROWS))).rejected == []


BAD = [
    (f"{STAFF},Siti,PNS,DINKES,Dinas Kesehatan,SETDA,Staf,Pelaksana,,Tidak,199101012015031001,", "atasan_nip",
     "atasan_not_found"),
    (f"198502302010011002,Siti,PNS,DINKES,Dinas Kesehatan,SETDA,Staf,Pelaksana,,Tidak,{KADIS},", "nip",
     "nip_birth_date_invalid"),
    (f"{STAFF},Siti,PPPK,DINKES,Dinas Kesehatan,SETDA,Staf,Pelaksana,,Tidak,{KADIS},", "nip", "nip_type_mismatch"),
    (f"{STAFF},Siti,Honorer,DINKES,Dinas Kesehatan,SETDA,Staf,Pelaksana,,Tidak,{KADIS},", "employee_type",
     "employee_type_invalid"),
    (f"{STAFF},Siti,PNS,DINKES,Dinas Kesehatan,SETDA,Staf,Kepala,,Tidak,{KADIS},", "position_kind",
     "position_kind_invalid"),
    (f"{STAFF},,PNS,DINKES,Dinas Kesehatan,SETDA,Staf,Pelaksana,,Tidak,{KADIS},", "name", "required"),
    (f"{STAFF},Siti,PNS,DINKES,Dinas Kesehatan,SETDA,Staf,Pelaksana,,Mungkin,{KADIS},", "is_unit_head",
     "boolean_invalid"),
    (f"{STAFF},Siti,PNS,DINKES,Dinas Kesehatan,SETDA,Staf,Pelaksana,,Tidak,{KADIS},bukan-email", "email",
     "email_invalid"),
    (f"{STAFF},Siti,PNS,DINKES,Dinas Kes.,SETDA,Staf,Pelaksana,,Tidak,{KADIS},", "unit_name", "unit_conflict"),
    (f"{STAFF},Siti,PNS,PUSK,Puskesmas,NOWHERE,Staf,Pelaksana,,Tidak,{KADIS},", "parent_unit_id",
     "unit_parent_unknown"),
    (f"{STAFF},Siti,PNS,DINKES,Dinas Kesehatan,SETDA,Staf,Pelaksana,,Tidak,{STAFF},", "atasan_nip", "atasan_is_self"),
    (f"{STAFF},Siti,PNS,unit kerja/1,Unit,SETDA,Staf,Pelaksana,,Tidak,{KADIS},", "unit_id", "unit_id_invalid"),
    (f"{STAFF},Siti,PNS,PUSK,{'P' * 201},SETDA,Staf,Pelaksana,,Tidak,{KADIS},", "unit_name", "too_long"),
    (f"{STAFF},{'S' * 201},PNS,DINKES,Dinas Kesehatan,SETDA,Staf,Pelaksana,,Tidak,{KADIS},", "name", "too_long"),
]  # fmt: skip


@pytest.mark.parametrize(("row", "field", "code"), BAD)
def test_a_bad_row_is_reported_with_line_field_and_reason_and_nothing_is_stored(
    runtime: ServiceRuntime, row: str, field: str, code: str
) -> None:
    report = run(runtime, csv_file(*ROWS[:2], row))
    assert (report.stored, report.accepted, report.rejected_rows) == (False, 2, 1)
    assert (field, code) in {(e.field, e.code) for e in report.rejected}
    assert {e.line for e in report.rejected} == {4}
    assert all(e.message_id and e.message_en for e in report.rejected)
    assert counts(runtime) == (0, 0, 0)


def test_duplicate_nips_in_the_file_are_all_rejected(runtime: ServiceRuntime) -> None:
    report = run(runtime, csv_file(*ROWS, ROWS[2]))
    assert {(e.line, e.code) for e in report.rejected} == {(4, "nip_duplicate_in_file"), (5, "nip_duplicate_in_file")}


def test_keep_valid_stores_the_valid_rows_and_rejects_those_depending_on_a_rejected_one(
    runtime: ServiceRuntime,
) -> None:
    bad_kadis = ROWS[1].replace(KADIS, "197502302000031002", 1)  # 30 February; STAFF's atasan stays KADIS
    report = run(runtime, csv_file(ROWS[0], bad_kadis, ROWS[2]), keep_valid=True)
    assert report.stored
    assert report.accepted == 1
    assert {(e.line, e.code) for e in report.rejected} == {(3, "nip_birth_date_invalid"), (4, "atasan_not_found")}
    assert counts(runtime)[2] == 1


def test_a_dry_run_reports_without_storing(runtime: ServiceRuntime) -> None:
    report = run(runtime, csv_file(*ROWS), dry_run=True)
    assert (report.stored, report.employees_registered, report.rejected) == (False, 3, [])
    assert counts(runtime) == (0, 0, 0)


def test_a_generated_organisation_imports_with_every_atasan_valid(runtime: ServiceRuntime) -> None:
    rows = organisation(1000)
    report = run(runtime, as_csv(rows))
    assert (report.rejected, report.employees_registered) == ([], len(rows))
    app = create_app(runtime).test_client()
    admin = bearer(runtime, SEKDA, ["admin_instansi"], "1671")
    assert app.get("/api/v1/organisation/employees/without-valid-atasan", headers=admin).json == []


# -- over HTTP and from the command line ------------------------------------------------------
def upload(client, headers: dict[str, str], data: bytes, name: str = "org.csv", query: str = ""):
    return client.post(
        f"/api/v1/organisation/import{query}",
        data={"file": (io.BytesIO(data), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_import_over_http_reports_rejections_in_the_callers_language(runtime: ServiceRuntime) -> None:
    client = create_app(runtime).test_client()
    admin = bearer(runtime, SEKDA, ["admin_instansi"], "1671")
    response = upload(client, admin, csv_file(*ROWS[:2], BAD[1][0]), query="?lang=en")
    assert response.status_code == 422
    assert response.json["rejected"][0]["line"] == 4
    assert "birth date" in response.json["rejected"][0]["message"]
    big = as_csv(organisation(7000))  # over the API's usual 1 MB request limit
    assert len(big) > 1024 * 1024
    response = upload(client, admin, big, query="?dry_run=true")
    assert response.status_code == 200
    assert response.json["rejected"] == []
    assert upload(client, admin, b"", name="org.csv").status_code == 422
    no_file = client.post("/api/v1/organisation/import", data={}, headers=admin, content_type="multipart/form-data")
    assert no_file.status_code == 422
    assert no_file.json["error"]["code"] == "import_file_missing"
    template = client.get("/api/v1/organisation/import/template?format=csv", headers=admin)
    assert template.status_code == 200
    assert template.data.decode("utf-8-sig").startswith("NIP,Nama,Jenis Pegawai")


def test_the_cli_shows_progress_and_prints_the_summary_and_rejected_rows(
    runtime: ServiceRuntime, tmp_path: Path, capsys
) -> None:
    import argparse

    path = tmp_path / "org.csv"
    path.write_bytes(csv_file(*ROWS[:2], BAD[0][0]))
    args = argparse.Namespace(file=path, tenant="1671", keep_valid=False, dry_run=False, actor="cli")
    out = io.StringIO()
    assert run_import(args, runtime, out) == 1
    assert "baris/line 4 [atasan_nip] atasan_not_found" in out.getvalue()
    assert "Memeriksa / checking" in capsys.readouterr().err  # the progress bar
    path.write_bytes(csv_file(*ROWS))
    assert run_import(args, runtime, out) == 0
    assert counts(runtime)[2] == 3


def test_unit_columns_longer_than_the_event_contract_allows_are_rejected_not_a_crash(runtime: ServiceRuntime) -> None:
    data = f"NIP,Kode Unit,Nama Unit,Jenis Unit\n,SETDA,Sekretariat Daerah,{'k' * 61}\n".encode()
    report = run(runtime, data)
    assert [(e.line, e.field, e.code) for e in report.rejected] == [(2, "unit_kind", "too_long")]
    assert counts(runtime) == (0, 0, 0)
    unit_only = run(runtime, b"NIP,Kode Unit,Nama Unit,Jenis Unit\n,SETDA,Sekretariat Daerah,sekretariat\n")
    assert (unit_only.stored, unit_only.units_registered, unit_only.employees_registered) == (True, 1, 0)
