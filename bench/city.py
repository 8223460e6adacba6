"""A generated city: a unit tree with atasan chains, plans, realisasi, assessments and public input.

Deterministic for a seed. Shape (for ~10,000 employees): Sekretariat Daerah at the root with the
Sekda (JPT); ~40 dinas/badan headed by a JPT under it; each dinas has bidang (administrator head)
with seksi (pengawas head) and staff (pelaksana / fungsional); Dinas Pendidikan and Dinas
Kesehatan also run schools and puskesmas (public-facing units, headed by a fungsional head, staffed
by teachers / health workers). Every employee's atasan is the head of the unit above their own
(the unit's staff report to its head), so chains run staff → seksi → bidang → kepala dinas → Sekda.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

BEHAVIOURS = ("berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif")
RATINGS = ("di_bawah_ekspektasi", "sesuai_ekspektasi", "di_atas_ekspektasi")
ASPECTS = ("kuantitas", "kualitas", "waktu", "biaya")
PERSPECTIVES = ("penerima_layanan", "proses_bisnis", "penguatan_internal", "anggaran")
DINAS_NAMES = (
    "Pendidikan", "Kesehatan", "Pekerjaan Umum", "Perhubungan", "Sosial", "Kependudukan dan Pencatatan Sipil",
    "Lingkungan Hidup", "Pariwisata", "Koperasi dan UKM", "Perdagangan", "Pertanian", "Perikanan",
    "Kebudayaan", "Kepemudaan dan Olahraga", "Komunikasi dan Informatika", "Ketenagakerjaan",
    "Penanaman Modal", "Perumahan dan Permukiman", "Pemadam Kebakaran", "Perpustakaan", "Arsip",
    "Pengendalian Penduduk", "Pemberdayaan Perempuan", "Ketahanan Pangan", "Satpol PP",
)  # fmt: skip
BADAN_NAMES = ("Keuangan Daerah", "Kepegawaian", "Perencanaan Pembangunan", "Pendapatan Daerah", "Kesbangpol")


@dataclass
class Person:
    nip: str
    name: str
    unit_id: str
    position_kind: str  # JPT | Administrator | Pengawas | Pelaksana | Fungsional
    position_name: str
    is_unit_head: bool
    atasan_nip: str | None
    peers: list[str] = field(default_factory=list)


@dataclass
class Unit:
    unit_id: str
    name: str
    parent: str | None
    kind: str
    serves_public: bool
    head: str | None = None


@dataclass
class City:
    tenant: str
    year: int
    units: dict[str, Unit]
    people: list[Person]  # atasan before their subordinates

    def by_nip(self) -> dict[str, Person]:
        return {p.nip: p for p in self.people}


class _Nips:
    """Valid, unique 18-digit NIP: birth date, CPNS start (aged 22+), sex digit, serial."""

    def __init__(self, rng: random.Random, year: int) -> None:
        self._rng, self._year, self._seen = rng, year, set()

    def next(self) -> str:
        while True:
            born = datetime(self._rng.randint(self._year - 58, self._year - 24), self._rng.randint(1, 12), 1)
            born += timedelta(days=self._rng.randint(0, 27))
            start_year = self._rng.randint(born.year + 22, min(self._year - 1, born.year + 34))
            nip = f"{born:%Y%m%d}{start_year}{self._rng.randint(1, 12):02d}{self._rng.randint(1, 2)}"
            nip += f"{self._rng.randint(1, 999):03d}"
            if nip not in self._seen:
                self._seen.add(nip)
                return nip


FIRST = ("Siti", "Andi", "Budi", "Dewi", "Rina", "Agus", "Wahyu", "Fitri", "Hendra", "Yuni", "Rudi", "Sri", "Eko")
LAST = ("Aminah", "Pratama", "Santoso", "Lestari", "Wijaya", "Saputra", "Hidayat", "Kurniawan", "Rahmawati")


def generate(employees: int = 10_000, *, tenant: str = "1671", year: int = 2026, seed: int = 8) -> City:
    rng = random.Random(seed)
    nips = _Nips(rng, year)
    units: dict[str, Unit] = {}
    people: list[Person] = []

    def name() -> str:
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}"

    def add_unit(unit_id: str, title: str, parent: str | None, kind: str, public: bool = False) -> Unit:
        units[unit_id] = Unit(unit_id, title, parent, kind, public)
        return units[unit_id]

    def add_person(unit: Unit, kind: str, title: str, atasan: str | None, head: bool = False) -> Person:
        person = Person(nips.next(), name(), unit.unit_id, kind, title, head, atasan)
        people.append(person)
        if head:
            unit.head = person.nip
        return person

    setda = add_unit("SETDA", "Sekretariat Daerah", None, "sekretariat")
    sekda = add_person(setda, "JPT", "Sekretaris Daerah", None, head=True)
    offices = [f"Dinas {n}" for n in DINAS_NAMES] + [f"Badan {n}" for n in BADAN_NAMES]
    # The staff left for each office once the heads are placed; schools and puskesmas take part of
    # Pendidikan's and Kesehatan's share (they are most of a city's ASN).
    per_office = max(8, employees // len(offices))
    for i, title in enumerate(offices):
        if len(people) >= employees:
            break
        office = add_unit(f"OPD{i + 1:02d}", title, "SETDA", "dinas" if title.startswith("Dinas") else "badan")
        kadis = add_person(office, "JPT", f"Kepala {title}", sekda.nip, head=True)
        budget = per_office * (4 if i < 2 else 1) * len(offices) // (len(offices) + 6)
        public_kind = {0: ("sekolah", "SD Negeri", "Guru"), 1: ("puskesmas", "Puskesmas", "Perawat")}.get(i)
        bidang_count = rng.randint(3, 4)
        placed = 1
        for b in range(bidang_count):
            bidang = add_unit(f"{office.unit_id}.B{b + 1}", f"Bidang {b + 1} {title}", office.unit_id, "bidang")
            kabid = add_person(bidang, "Administrator", f"Kepala Bidang {b + 1}", kadis.nip, head=True)
            placed += 1
            for s in range(rng.randint(2, 3)):
                seksi = add_unit(f"{bidang.unit_id}.S{s + 1}", f"Seksi {s + 1}", bidang.unit_id, "seksi")
                kasi = add_person(seksi, "Pengawas", f"Kepala Seksi {s + 1}", kabid.nip, head=True)
                placed += 1
                staff = [
                    add_person(seksi, rng.choice(("Pelaksana", "Fungsional")), "Analis", kasi.nip)
                    for _ in range(max(1, (budget // 3 if public_kind else budget) // (bidang_count * 3)))
                ]
                placed += len(staff)
                for p in staff:
                    p.peers = [q.nip for q in staff if q is not p][:2]
            if public_kind and b == 0:  # the schools / puskesmas hang off the first bidang
                kind, label, role = public_kind
                n = 0
                while placed < budget and len(people) < employees:
                    n += 1
                    site = add_unit(f"{office.unit_id}.{kind[:3].upper()}{n:03d}", f"{label} {n}", bidang.unit_id, kind)
                    site.serves_public = True
                    head = add_person(site, "Fungsional", f"Kepala {label} {n}", kabid.nip, head=True)
                    staff = [add_person(site, "Fungsional", role, head.nip) for _ in range(rng.randint(15, 35))]
                    for p in staff:
                        p.peers = [q.nip for q in rng.sample(staff, min(2, len(staff))) if q is not p]
                    placed += 1 + len(staff)
    # Top up to exactly the size asked for: more staff in the seksi, round robin.
    seksi = [u for u in units.values() if u.kind == "seksi"]
    n = 0
    while len(people) < employees:
        unit = seksi[n % len(seksi)]
        n += 1
        add_person(unit, rng.choice(("Pelaksana", "Fungsional")), "Pengelola", unit.head)
    kept = people[:employees]
    nips_kept = {p.nip for p in kept}
    for p in kept:
        p.peers = [q for q in p.peers if q in nips_kept]
    return City(tenant, year, units, kept)


def org_csv(city: City) -> bytes:
    """The organisation import file (the README's columns), one row per employee plus its unit."""
    kept = {p.nip for p in city.people}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["nip", "name", "employee_type", "unit_id", "unit_name", "parent_unit_id", "unit_kind", "serves_public",
         "position_name", "position_kind", "is_unit_head", "atasan_nip"]
    )  # fmt: skip
    for p in city.people:
        unit = city.units[p.unit_id]
        writer.writerow(
            [p.nip, p.name, "PNS", unit.unit_id, unit.name, unit.parent or "", unit.kind,
             "Ya" if unit.serves_public else "Tidak", p.position_name, p.position_kind,
             "Ya" if p.is_unit_head else "Tidak", p.atasan_nip if p.atasan_nip in kept else ""]
        )  # fmt: skip
    return out.getvalue().encode()


def plan_content(person: Person, rng: random.Random, atasan_rhk: list[str] | None) -> dict[str, Any]:
    """An SKP with 3–8 IKI over one or two RHK utama and maybe a tambahan; mixed directions."""
    jpt = person.position_kind == "JPT"
    total = rng.randint(3, 8)
    rhk: list[dict[str, Any]] = []
    groups = [total] if total < 5 else [total - total // 2, total // 2]
    for g, count in enumerate(groups):
        iki = []
        for k in range(count):
            lower = rng.random() < 0.3
            iki.append(
                {
                    "indicator": f"{'Waktu penyelesaian' if lower else 'Jumlah layanan'} {g + 1}.{k + 1}",
                    "aspect": "waktu" if lower else rng.choice(("kuantitas", "kualitas", "biaya")),
                    "target": float(rng.choice((10, 30, 100, 250, 1200))),
                    "unit": "hari" if lower else "dokumen",
                    "direction": "lower_is_better" if lower else "higher_is_better",
                }
            )
        rhk.append(
            {
                "description": f"Meningkatnya kinerja {person.position_name} ({g + 1})",
                "kind": "utama" if g == 0 or rng.random() < 0.7 else "tambahan",
                "intervenes_rhk_id": rng.choice(atasan_rhk) if atasan_rhk else None,
                "perspective": rng.choice(PERSPECTIVES) if jpt else None,
                "iki": iki,
            }
        )
    return {"period_year": 0, "rhk": rhk}


def realisasi(iki: dict[str, Any], quarter: int, rng: random.Random) -> float:
    """A quarter's figure around the target: most meet it, some exceed, some fall short."""
    factor = rng.choice((0.6, 0.85, 1.0, 1.0, 1.05, 1.15, 1.3))
    if iki["direction"] == "lower_is_better":
        factor = 2 - factor
    return round(iki["target"] * factor * quarter / 4 if iki["aspect"] == "kuantitas" else iki["target"] * factor, 2)


def behaviour(rng: random.Random) -> dict[str, str]:
    return {v: rng.choices(RATINGS, weights=(1, 6, 2))[0] for v in BEHAVIOURS}


def ikm_responses(rng: random.Random, count: int) -> list[dict[str, int]]:
    return [{f"u{i}_{k}": rng.randint(2, 4) for i, k in enumerate(_IKM, start=1)} for _ in range(count)]


_IKM = ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "pengaduan", "sarana")


def complaints(rng: random.Random, unit_id: str, year: int, count: int) -> list[dict[str, Any]]:
    out = []
    for n in range(count):
        received = datetime(year, rng.randint(1, 12), rng.randint(1, 28), 9, tzinfo=UTC)
        out.append(
            {
                "complaint_id": f"LAPOR-{unit_id}-{n}",
                "received_at": received.isoformat(),
                "first_response_at": (received + timedelta(days=rng.randint(0, 6))).isoformat(),
            }
        )
    return out
