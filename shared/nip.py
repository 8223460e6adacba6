"""NIP (Nomor Induk Pegawai) of a PNS and NI PPPK: parsing and validation by their digit rules.

PNS (Perka BKN 22/2007): 18 digits = birth date YYYYMMDD (1–8) + start as CPNS YYYYMM (9–14)
+ sex (15: 1 male, 2 female) + serial 001–999 (16–18).  Example: 19680411 199303 1 009.

PPPK (NI PPPK): the same length and layout, but digits 9–12 are the year of appointment as PPPK
and digits 13–14 are a PPPK marker instead of a month — e.g. 19971220 2023 21 2 008; part-time
PPPK (paruh waktu, 2025) carry 24. We accept markers 21–29: never a month, so a PNS start month
and a PPPK marker cannot be confused. (Assumption, from published examples; BKN's own rule for
the marker is not public. Widen `PPPK_MARKERS` if a real number is refused.)

Plausibility: the holder is 18–70 years old today; started (CPNS month or PPPK year) at 18 or
older and no later than next year; PPPK appointments exist only from 2019 (PP 49/2018).

Every refusal is a `NipError` naming the rule broken by a stable code, with a message in Bahasa
Indonesia and in English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

NIP_LENGTH = 18
PPPK_MARKERS = range(21, 30)
FIRST_PPPK_YEAR = 2019
MIN_AGE, MAX_AGE = 18, 70


class NipKind(StrEnum):
    PNS = "pns"
    PPPK = "pppk"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class NipError(ValueError):
    """An NIP broke a rule; `code` names it (e.g. nip_birth_date_invalid)."""

    def __init__(self, code: str, message_id: str, message_en: str) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_id = message_id
        self.message_en = message_en

    def bilingual(self) -> str:
        """ "Indonesian (code) / English (code)" — the project's format for one reason in two languages."""
        return f"{self.message_id} ({self.code}) / {self.message_en} ({self.code})"


@dataclass(frozen=True)
class Nip:
    value: str
    kind: NipKind
    birth_date: date
    start_year: int
    start_month: int | None  # PNS only: month of the CPNS appointment
    pppk_marker: int | None  # PPPK only: digits 13–14
    sex: Sex
    serial: int


def _age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def parse_nip(value: object, *, today: date | None = None) -> Nip:
    """Parse and validate; raise NipError naming the first rule broken."""
    today = today or date.today()
    if not isinstance(value, str):
        raise NipError(
            "nip_not_text",
            "NIP harus ditulis sebagai teks, bukan angka.",
            "The NIP must be given as text, not as a number.",
        )
    if len(value) != NIP_LENGTH:
        raise NipError(
            "nip_length",
            f"NIP harus 18 digit (yang diberikan {len(value)} karakter).",
            f"An NIP has 18 digits (got {len(value)} characters).",
        )
    if not value.isascii() or not value.isdigit():
        raise NipError("nip_not_digits", "NIP hanya boleh berisi angka 0–9.", "An NIP may contain only digits 0–9.")

    try:
        born = date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise NipError(
            "nip_birth_date_invalid",
            f"Digit 1–8 NIP ({value[0:8]}) bukan tanggal lahir yang valid (TTTTBBHH).",
            f"Digits 1–8 ({value[0:8]}) are not a real birth date (YYYYMMDD).",
        ) from None
    age = _age_on(born, today)
    if not MIN_AGE <= age <= MAX_AGE:
        raise NipError(
            "nip_birth_date_implausible",
            f"Tanggal lahir pada NIP ({born.isoformat()}) berarti usia {age} tahun; ASN berusia {MIN_AGE}–{MAX_AGE}.",
            f"The birth date in the NIP ({born.isoformat()}) means an age of {age}; an ASN is {MIN_AGE}–{MAX_AGE}.",
        )

    start_year, code = int(value[8:12]), int(value[12:14])
    if 1 <= code <= 12:
        kind, start_month, marker = NipKind.PNS, code, None
    elif code in PPPK_MARKERS:
        kind, start_month, marker = NipKind.PPPK, None, code
    else:
        raise NipError(
            "nip_start_month_invalid",
            f"Digit 13–14 NIP ({value[12:14]}) bukan bulan TMT CPNS (01–12) maupun kode PPPK (21–29).",
            f"Digits 13–14 ({value[12:14]}) are neither a CPNS start month (01–12) nor a PPPK marker (21–29).",
        )

    if kind is NipKind.PPPK and not FIRST_PPPK_YEAR <= start_year <= today.year + 1:
        raise NipError(
            "nip_pppk_year_invalid",
            f"Tahun pengangkatan PPPK pada NIP ({start_year}) harus antara {FIRST_PPPK_YEAR} dan {today.year + 1}.",
            f"The PPPK appointment year in the NIP ({start_year}) must be {FIRST_PPPK_YEAR}–{today.year + 1}.",
        )
    if (start_year, start_month or 1) > (today.year + 1, today.month):
        raise NipError(
            "nip_start_in_future",
            f"TMT CPNS pada NIP ({value[8:14]}) belum terjadi.",
            f"The CPNS start in the NIP ({value[8:14]}) lies in the future.",
        )
    # Month precision for a PNS (started in the birth month of the 18th year counts); year for a PPPK.
    started_young = (
        (start_year, start_month or 12) < (born.year + MIN_AGE, born.month)
        if kind is NipKind.PNS
        else start_year < born.year + MIN_AGE
    )
    if started_young:
        raise NipError(
            "nip_start_before_adulthood",
            f"TMT pada NIP ({value[8:14]}) sebelum pemegangnya berusia {MIN_AGE} tahun (lahir {born.isoformat()}).",
            f"The start in the NIP ({value[8:14]}) is before the holder turned {MIN_AGE} (born {born.isoformat()}).",
        )

    if value[14] not in "12":
        raise NipError(
            "nip_sex_digit_invalid",
            f"Digit ke-15 NIP ({value[14]}) harus 1 (laki-laki) atau 2 (perempuan).",
            f"Digit 15 ({value[14]}) must be 1 (male) or 2 (female).",
        )
    serial = int(value[15:18])
    if serial == 0:
        raise NipError(
            "nip_serial_invalid",
            "Nomor urut NIP (digit 16–18) harus 001–999.",
            "The serial (digits 16–18) must be 001–999.",
        )
    return Nip(
        value=value,
        kind=kind,
        birth_date=born,
        start_year=start_year,
        start_month=start_month,
        pppk_marker=marker,
        sex=Sex.MALE if value[14] == "1" else Sex.FEMALE,
        serial=serial,
    )


def nip_error(value: object, *, today: date | None = None) -> NipError | None:
    try:
        parse_nip(value, today=today)
    except NipError as exc:
        return exc
    return None


def check_nip_kind(nip: Nip, employee_type: str) -> NipError | None:
    """A PNS must hold a PNS-form NIP and a PPPK an NI PPPK."""
    if nip.kind.value == employee_type:
        return None
    return NipError(
        "nip_type_mismatch",
        f"NIP {nip.value} berbentuk NIP {nip.kind.value.upper()}, tetapi jenis pegawai {employee_type.upper()}.",
        f"NIP {nip.value} has the form of a {nip.kind.value.upper()} number, but the employee type is "
        f"{employee_type.upper()}.",
    )
