"""A generated organisation of a city government (units and employees as import rows), for tests.

SETDA (the Sekda, JPT, no atasan) → dinas (kepala dinas, JPT) → bidang (kepala bidang,
administrator) → seksi (kepala seksi, pengawas) → staff (pelaksana, fungsional); each dinas also
has service units (sekolah, puskesmas) whose head is a fungsional and whose staff are teachers,
nurses, … partly PPPK.
"""

from __future__ import annotations

import io
import itertools
import random
from datetime import date
from typing import Any

from services.planning.adapters.org_import import write_csv


class NipMaker:
    def __init__(self, seed: int = 7) -> None:
        self._random = random.Random(seed)
        self._serials: dict[str, itertools.count[int]] = {}

    def make(self, *, pppk: bool = False) -> str:
        r = self._random
        born = date(r.randint(1968, 1998), r.randint(1, 12), r.randint(1, 28))
        if pppk:
            middle = f"{r.randint(max(2019, born.year + 20), 2025)}21"
        else:
            middle = f"{r.randint(born.year + 20, min(born.year + 35, 2025))}{r.randint(1, 12):02d}"
        prefix = f"{born:%Y%m%d}{middle}{r.choice('12')}"
        serial = next(self._serials.setdefault(prefix, itertools.count(1)))
        return f"{prefix}{serial:03d}"


def organisation(target: int, seed: int = 7) -> list[dict[str, Any]]:
    """About `target` employee rows (at least), with canonical keys as the import reads them."""
    nips = NipMaker(seed)
    rows: list[dict[str, Any]] = []

    def person(unit: tuple[str, str, str | None, str, bool], position: str, kind: str, atasan: str | None,
               *, head: bool = False, pppk: bool = False, grade: str | None = None) -> str:  # fmt: skip
        nip = nips.make(pppk=pppk)
        unit_id, unit_name, parent, unit_kind, serves = unit
        rows.append(
            {
                "nip": nip,
                "name": f"Pegawai {len(rows) + 1}",
                "employee_type": "PPPK" if pppk else "PNS",
                "unit_id": unit_id,
                "unit_name": unit_name,
                "parent_unit_id": parent or "",
                "unit_kind": unit_kind,
                "serves_public": "Ya" if serves else "Tidak",
                "position_name": position,
                "position_kind": kind,
                "position_grade": grade or "",
                "is_unit_head": "Ya" if head else "Tidak",
                "atasan_nip": atasan or "",
                "email": f"p{len(rows) + 1}@example.go.id",
                "active": "Ya",
            }
        )
        return nip

    setda = ("SETDA", "Sekretariat Daerah", None, "sekretariat", False)
    sekda = person(setda, "Sekretaris Daerah", "JPT", None, head=True)
    for d in itertools.count(1):
        dinas = (f"D{d:02d}", f"Dinas {d}", "SETDA", "dinas", False)
        kadis = person(dinas, f"Kepala Dinas {d}", "JPT", sekda, head=True)
        for b in range(1, 4):
            bidang = (f"D{d:02d}.B{b}", f"Bidang {b} Dinas {d}", dinas[0], "bidang", False)
            kabid = person(bidang, "Kepala Bidang", "Administrator", kadis, head=True)
            for s in range(1, 3):
                seksi = (f"D{d:02d}.B{b}.S{s}", f"Seksi {s} Bidang {b} Dinas {d}", bidang[0], "seksi", False)
                kasi = person(seksi, "Kepala Seksi", "Pengawas", kabid, head=True)
                for _ in range(6):
                    person(seksi, "Pengelola Data", "Pelaksana", kasi)
                person(seksi, "Analis Kebijakan", "Fungsional", kasi, grade="Ahli Muda")
        for u in range(1, 9):
            service = (f"D{d:02d}.U{u}", f"UPT {u} Dinas {d}", dinas[0], "sekolah" if d % 2 else "puskesmas", True)
            head = person(service, "Kepala UPT", "Fungsional", kadis, head=True, grade="Ahli Madya")
            for i in range(20):
                person(
                    service, "Guru" if d % 2 else "Perawat", "Fungsional", head, pppk=i % 3 == 0, grade="Ahli Pertama"
                )
        if len(rows) >= target:
            return rows
    raise AssertionError("unreachable")


def as_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    write_csv(rows, out)
    return out.getvalue().encode()
