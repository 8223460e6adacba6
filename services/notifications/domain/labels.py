"""How values read to a person, per language: predikat and rating labels, periods, percentages, lists.

Events carry codes ("sangat_baik", "Q1", 90.0); a notice shows words ("Sangat Baik", "triwulan I
tahun 2026", "90%").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from shared.contracts.vocabulary import Predikat, Rating

LANGUAGES = ("id", "en")

PREDIKAT: dict[str, dict[str, str]] = {
    "id": {
        Predikat.SANGAT_BAIK: "Sangat Baik",
        Predikat.BAIK: "Baik",
        Predikat.BUTUH_PERBAIKAN: "Butuh Perbaikan",
        Predikat.KURANG: "Kurang",
        Predikat.SANGAT_KURANG: "Sangat Kurang",
    },
    "en": {
        Predikat.SANGAT_BAIK: "Outstanding",
        Predikat.BAIK: "Good",
        Predikat.BUTUH_PERBAIKAN: "Needs Improvement",
        Predikat.KURANG: "Poor",
        Predikat.SANGAT_KURANG: "Very Poor",
    },
}

RATING: dict[str, dict[str, str]] = {
    "id": {
        Rating.DI_ATAS: "di atas ekspektasi",
        Rating.SESUAI: "sesuai ekspektasi",
        Rating.DI_BAWAH: "di bawah ekspektasi",
    },
    "en": {
        Rating.DI_ATAS: "above expectation",
        Rating.SESUAI: "meets expectation",
        Rating.DI_BAWAH: "below expectation",
    },
}

# Award codes of the rewards policies; an unknown code still reads as words ("a_b" -> "A b").
AWARDS: dict[str, dict[str, str]] = {
    "id": {
        "sertifikat_penghargaan": "Sertifikat penghargaan",
        "prioritas_pelatihan": "Prioritas pelatihan",
        "tanda_kehormatan": "Tanda kehormatan",
        "rekomendasi_promosi": "Rekomendasi promosi",
    },
    "en": {
        "sertifikat_penghargaan": "Certificate of appreciation",
        "prioritas_pelatihan": "Priority for training",
        "tanda_kehormatan": "State honour",
        "rekomendasi_promosi": "Promotion recommendation",
    },
}

_ROMAN = {"Q1": "I", "Q2": "II", "Q3": "III", "Q4": "IV"}
_NONE = {"id": "tidak ada", "en": "none"}


def predikat(code: str, lang: str) -> str:
    return PREDIKAT[lang][Predikat(code)]


def rating(code: str, lang: str) -> str:
    return RATING[lang][Rating(code)]


def period(year: int, lang: str, part: str = "annual") -> str:
    """ "tahun 2026" / "year 2026"; a quarter: "triwulan I tahun 2026" / "quarter I of 2026"."""
    if part == "annual":
        return f"tahun {year}" if lang == "id" else f"year {year}"
    roman = _ROMAN[part]
    return f"triwulan {roman} tahun {year}" if lang == "id" else f"quarter {roman} of {year}"


def percent(value: float, lang: str) -> str:
    """90.0 -> "90%"; 92.5 -> "92,5%" in Indonesian (decimal comma), "92.5%" in English."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return (text.replace(".", ",") if lang == "id" else text) + "%"


def award(code: str, lang: str) -> str:
    known = AWARDS[lang].get(code.strip())
    if known:
        return known
    words = code.strip().replace("_", " ")
    return words[:1].upper() + words[1:]


def bullets(items: Sequence[str], lang: str) -> str:
    """One "- item" line each (for sentences such as coaching goals)."""
    cleaned = [item.strip() for item in items if item and item.strip()]
    return "\n".join(f"- {item}" for item in cleaned) if cleaned else f"- {_NONE[lang]}"


def listing(items: Sequence[str], lang: str, sep: str = ", ") -> str:
    cleaned = [item.strip() for item in items if item and item.strip()]
    return sep.join(cleaned) if cleaned else _NONE[lang]


MONTHS = {
    "id": [
        "Januari", "Februari", "Maret", "April", "Mei", "Juni",
        "Juli", "Agustus", "September", "Oktober", "November", "Desember",
    ],
    "en": [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ],
}  # fmt: skip


def day(value: date, lang: str) -> str:
    """2027-01-31 -> "31 Januari 2027" / "31 January 2027"."""
    return f"{value.day} {MONTHS[lang][value.month - 1]} {value.year}"


def moment(value: datetime, lang: str, zone: str = "Asia/Jakarta") -> str:
    """A point in time in the instansi's zone: "3 Desember 2026 pukul 08.00 WIB" / "3 December 2026, 08:00 WIB"."""
    local = value.astimezone(ZoneInfo(zone))
    suffix = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}.get(zone, zone)
    if lang == "id":
        return f"{day(local.date(), lang)} pukul {local:%H.%M} {suffix}"
    return f"{day(local.date(), lang)}, {local:%H:%M} {suffix}"
