"""Reading an organisation file (CSV or .xlsx) into raw rows, and writing the template.

One flat row per employee with its unit's columns. Headers are matched loosely (case, spaces,
underscores) against the English column names and the Indonesian ones SIMPEG-like exports use.
Cells are kept as text; an NIP that a spreadsheet turned into a number (numeric cell, scientific
notation, a trailing ".0") is reported, never repaired by guessing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

# canonical column -> accepted headers (normalised: lower case, single spaces)
COLUMNS: dict[str, tuple[str, ...]] = {
    "nip": ("nip", "ni pppk", "nip/ni pppk", "nip / ni pppk", "nip baru"),
    "name": ("name", "nama", "nama pegawai", "nama lengkap"),
    "employee_type": ("employee type", "jenis pegawai", "status pegawai", "status kepegawaian"),
    "unit_id": ("unit id", "kode unit", "kode unit kerja", "kode unor", "id unor"),
    "unit_name": ("unit name", "nama unit", "unit kerja", "nama unit kerja", "nama unor"),
    "parent_unit_id": ("parent unit id", "kode unit induk", "kode induk", "kode unor induk", "id unor induk"),
    "unit_kind": ("unit kind", "jenis unit", "jenis unit kerja"),
    "serves_public": ("serves public", "layanan publik", "melayani publik"),
    "position_name": ("position name", "jabatan", "nama jabatan"),
    "position_kind": ("position kind", "jenis jabatan"),
    "position_grade": ("position grade", "jenjang", "jenjang jabatan"),
    "is_unit_head": ("is unit head", "kepala unit", "kepala unit kerja"),
    "atasan_nip": ("atasan nip", "nip atasan", "nip atasan langsung"),
    "email": ("email", "e-mail", "surel"),
    "active": ("active", "aktif"),
}
TEMPLATE_HEADERS = [
    "NIP",
    "Nama",
    "Jenis Pegawai",
    "Kode Unit",
    "Nama Unit",
    "Kode Unit Induk",
    "Jenis Unit",
    "Layanan Publik",
    "Jabatan",
    "Jenis Jabatan",
    "Jenjang",
    "Kepala Unit",
    "NIP Atasan",
    "Email",
    "Aktif",
]
TEMPLATE_EXAMPLES = [
    ["197001011995031001", "Drs. Ahmad Sekda", "PNS", "SETDA", "Sekretariat Daerah", "", "sekretariat", "Tidak",
     "Sekretaris Daerah", "JPT", "", "Ya", "", "sekda@example.go.id", "Ya"],
    ["197505052000031002", "dr. Budi Santoso", "PNS", "DINKES", "Dinas Kesehatan", "SETDA", "dinas", "Tidak",
     "Kepala Dinas Kesehatan", "JPT", "", "Ya", "197001011995031001", "", "Ya"],
    ["199712202023212008", "Gita Annisa", "PPPK", "PKM-SKR", "Puskesmas Sukarami", "DINKES", "puskesmas", "Ya",
     "Perawat", "Fungsional", "Ahli Pertama", "Tidak", "197505052000031002", "", "Ya"],
]  # fmt: skip
NIP_COLUMNS = ("nip", "atasan_nip")
MAX_ROWS = 100_000


class UnreadableFile(ValueError):
    def __init__(self, code: str, message_id: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code, self.message_id, self.message_en = code, message_id, message_en


@dataclass(frozen=True)
class CellProblem:
    field: str
    code: str
    message_id: str
    message_en: str


@dataclass
class RawRow:
    line: int  # as the user sees it: the header is line 1
    values: dict[str, str | None]
    problems: list[CellProblem] = field(default_factory=list)


def _normalise_header(header: Any) -> str:
    return re.sub(r"[\s_]+", " ", str(header or "")).strip().lower()


def map_headers(headers: list[Any]) -> dict[int, str]:
    """Column position -> canonical name; unknown columns are ignored. Raises if NIP is absent."""
    lookup = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
    mapping: dict[int, str] = {}
    for position, header in enumerate(headers):
        name = lookup.get(_normalise_header(header))
        if name and name not in mapping.values():
            mapping[position] = name
    missing = [name for name in ("nip", "unit_id") if name not in mapping.values()]
    if missing:
        raise UnreadableFile(
            "import_columns_missing",
            f"Kolom wajib tidak ditemukan di baris judul: {', '.join(missing)} (lihat templat).",
            f"Required columns are missing from the header row: {', '.join(missing)} (see the template).",
        )
    return mapping


_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE]\+?\d+$")


def _nip_problem(name: str, text: str) -> CellProblem | None:
    if _SCIENTIFIC.match(text):
        return CellProblem(
            name,
            "nip_scientific_notation",
            f"NIP '{text}' tertulis dalam notasi ilmiah: digitnya sudah hilang. "
            "Format kolom sebagai Teks lalu isi ulang.",
            f"NIP '{text}' is in scientific notation: digits are lost. Format the column as Text and re-enter it.",
        )
    if re.fullmatch(r"\d+\.0+", text):
        return CellProblem(
            name,
            "nip_decimal",
            f"NIP '{text}' tertulis sebagai bilangan desimal; format kolom sebagai Teks.",
            f"NIP '{text}' was written as a decimal number; format the column as Text.",
        )
    if text.isdigit() and len(text) < 18:
        return CellProblem(
            name,
            "nip_leading_zeros_lost",
            f"NIP '{text}' hanya {len(text)} digit — mungkin angka nol di depan hilang karena kolom berformat angka.",
            f"NIP '{text}' has only {len(text)} digits — leading zeros may have been dropped by a number format.",
        )
    return None


def _row(line: int, cells: list[Any], mapping: dict[int, str], numeric: Callable[[int], bool]) -> RawRow:
    row = RawRow(line, {name: None for name in COLUMNS})
    for position, name in mapping.items():
        value = cells[position] if position < len(cells) else None
        if name in NIP_COLUMNS and numeric(position) and value not in (None, ""):
            row.problems.append(
                CellProblem(
                    name,
                    "nip_numeric_cell",
                    f"Sel NIP berisi angka ({value!r}), bukan teks; Excel hanya menyimpan 15 digit angka. "
                    "Format kolom sebagai Teks lalu isi ulang NIP-nya.",
                    f"The NIP cell holds a number ({value!r}), not text; Excel keeps only 15 digits of a number. "
                    "Format the column as Text and re-enter the NIPs.",
                )
            )
            continue
        if isinstance(value, datetime | date):
            value = value.isoformat()
        text = None if value is None else str(value).strip()
        text = text or None
        if text is not None and name in NIP_COLUMNS:
            problem = _nip_problem(name, text)
            if problem:
                row.problems.append(problem)
                continue
        row.values[name] = text
    return row


def _blank(cells: list[Any]) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in cells)


def read_csv(data: bytes) -> Iterator[RawRow]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    headers = next(reader, None)
    if headers is None:
        raise UnreadableFile("import_empty", "Berkas kosong.", "The file is empty.")
    mapping = map_headers(headers)
    for line, cells in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            raise _too_many()
        if not _blank(cells):
            yield _row(line, cells, mapping, lambda _position: False)


def read_xlsx(data: bytes) -> Iterator[RawRow]:
    from openpyxl import load_workbook  # only when an .xlsx comes in

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise UnreadableFile(
            "import_unreadable",
            "Berkas bukan lembar kerja .xlsx yang valid.",
            "The file is not a valid .xlsx workbook.",
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows()
        header_cells = next(rows, None)
        if header_cells is None:
            raise UnreadableFile("import_empty", "Berkas kosong.", "The file is empty.")
        mapping = map_headers([cell.value for cell in header_cells])
        for line, cells in enumerate(rows, start=2):
            if line - 1 > MAX_ROWS:
                raise _too_many()
            values = [cell.value for cell in cells]
            if _blank(values):
                continue
            numeric = [isinstance(v, int | float) and not isinstance(v, bool) for v in values]
            yield _row(
                line, values, mapping, lambda position, numeric=numeric: position < len(numeric) and numeric[position]
            )
    finally:
        workbook.close()


def _too_many() -> UnreadableFile:
    return UnreadableFile(
        "import_too_many_rows",
        f"Berkas berisi lebih dari {MAX_ROWS} baris; bagi menjadi beberapa berkas.",
        f"The file has more than {MAX_ROWS} rows; split it.",
    )


def read_rows(filename: str, data: bytes) -> list[RawRow]:
    """Every non-blank data row of a .csv or .xlsx file (chosen by its name or its first bytes)."""
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        return list(read_xlsx(data))
    if filename.lower().endswith((".csv", ".txt")) or not filename:
        return list(read_csv(data))
    raise UnreadableFile(
        "import_format_unsupported",
        "Format berkas tidak didukung; kirim .csv atau .xlsx.",
        "Unsupported file format; send a .csv or .xlsx file.",
    )


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerows(TEMPLATE_EXAMPLES)
    return out.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Pegawai"
    sheet.append(TEMPLATE_HEADERS)
    for row in TEMPLATE_EXAMPLES:
        sheet.append(row)
    for column in ("A", "M"):  # NIP and NIP Atasan: text, so Excel keeps all 18 digits
        for cell in sheet[column]:
            cell.number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_csv(rows: list[dict[str, Any]], stream: IO[str]) -> None:
    """Rows with canonical keys, under the template's Indonesian headers (tests, generators)."""
    headers = dict(zip(COLUMNS, TEMPLATE_HEADERS, strict=True))
    writer = csv.DictWriter(stream, fieldnames=list(headers.values()))
    writer.writeheader()
    for row in rows:
        writer.writerow({headers[name]: ("" if value is None else value) for name, value in row.items()})
