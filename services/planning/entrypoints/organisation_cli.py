"""`python -m services.planning import-org FILE --tenant T [--keep-valid] [--dry-run]`.

Imports a whole organisation from a .csv or .xlsx file with a progress display on the terminal,
then prints the summary and every rejected row. Exit status 0 when stored (or a clean dry run),
1 when rows were rejected and nothing was stored, 2 when the file could not be read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from services.planning.adapters import org_import
from services.planning.service_layer import org_import as importer
from shared.runtime import CliCommand, ServiceRuntime


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the organisation file (.csv or .xlsx; see README for the columns)")
    parser.add_argument("--tenant", required=True, help="instansi code, e.g. 1671 (Kota Palembang)")
    parser.add_argument("--keep-valid", action="store_true", help="store the valid rows even if others are rejected")
    parser.add_argument("--dry-run", action="store_true", help="check and report only; store nothing")
    parser.add_argument("--actor", default="cli", help="who is recorded as the author of the events")


def run_import(args: argparse.Namespace, runtime: ServiceRuntime, out: TextIO = sys.stdout) -> int:
    try:
        data = args.file.read_bytes()
        rows = org_import.read_rows(args.file.name, data)
    except OSError as exc:
        print(f"Berkas tidak dapat dibaca / cannot read the file: {exc}", file=out)
        return 2
    except org_import.UnreadableFile as exc:
        print(f"{exc.message_id} / {exc.message_en} ({exc.code})", file=out)
        return 2
    bars: dict[str, tqdm] = {}
    labels = {"check": "Memeriksa / checking", "write": "Menyimpan / storing"}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=labels.get(stage, stage), unit="row", file=sys.stderr)
        bar.update(done - bar.n)

    try:
        report = importer.import_organisation(
            runtime.uow(), args.tenant, args.actor, rows, keep_valid=args.keep_valid, dry_run=args.dry_run,
            progress=progress,
        )  # fmt: skip
    finally:
        for bar in bars.values():
            bar.close()
    _print_report(report, out)
    if report.rejected and not report.stored and not report.dry_run:
        return 1
    return 0


def _print_report(report: importer.ImportReport, out: TextIO) -> None:
    status = (
        "disimpan / stored"
        if report.stored
        else ("uji coba / dry run" if report.dry_run else "TIDAK disimpan / NOT stored")
    )
    print(f"Impor organisasi: {status}", file=out)
    print(
        f"  baris/rows {report.rows}, diterima/accepted {report.accepted}, ditolak/rejected {report.rejected_rows}",
        file=out,
    )
    print(
        f"  unit: baru/new {report.units_registered}, berubah/changed {report.units_changed}; pegawai/employees: "
        f"baru/new {report.employees_registered}, pindah/moved {report.employees_moved}, "
        f"atasan {report.employees_atasan_changed}, diperbarui/updated {report.employees_updated}, "
        f"tetap/unchanged {report.employees_unchanged}; events {report.events_published}",
        file=out,
    )
    if report.employees_without_valid_atasan:
        print(
            f"  {report.employees_without_valid_atasan} pegawai tanpa atasan yang valid / employees without a valid "
            "atasan: GET /api/v1/organisation/employees/without-valid-atasan",
            file=out,
        )
    if report.rejected:
        print("Baris ditolak / rejected rows:", file=out)
        for error in report.rejected:
            print(
                f"  baris/line {error.line} [{error.field}] {error.code}: {error.message_id} / {error.message_en}",
                file=out,
            )


def import_org_command(create_runtime: Callable[[], ServiceRuntime]) -> CliCommand:
    return CliCommand(
        name="import-org",
        help="import a whole organisation (units and employees) from a .csv or .xlsx file",
        configure=_configure,
        run=lambda args: run_import(args, create_runtime()),
    )
