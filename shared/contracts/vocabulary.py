"""Controlled vocabularies shared by the event contracts (domain terms keep their Indonesian names).

See README "Glossary" for what each term means.
"""

from __future__ import annotations

from enum import StrEnum


class RhkKind(StrEnum):
    UTAMA = "utama"
    TAMBAHAN = "tambahan"


class Aspect(StrEnum):
    KUANTITAS = "kuantitas"
    KUALITAS = "kualitas"
    WAKTU = "waktu"
    BIAYA = "biaya"


class SkpTemplate(StrEnum):
    """JPT plans are set out by the four perspectives; JA/JF plans by the IKI aspects."""

    JPT = "jpt"
    JA_JF = "ja_jf"


class Perspective(StrEnum):
    """The four perspectives of a JPT's SKP (PermenPANRB 6/2022)."""

    PENERIMA_LAYANAN = "penerima_layanan"
    PROSES_BISNIS = "proses_bisnis"
    PENGUATAN_INTERNAL = "penguatan_internal"
    ANGGARAN = "anggaran"


class Direction(StrEnum):
    """Whether a higher or a lower realisasi is better (patients served vs. waiting minutes)."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class EmployeeType(StrEnum):
    PNS = "pns"
    PPPK = "pppk"


class PositionKind(StrEnum):
    """Jabatan kinds; who appraises whom follows the ladder pelaksana → pengawas → administrator → JPT."""

    JPT = "jpt"  # jabatan pimpinan tinggi
    ADMINISTRATOR = "administrator"
    PENGAWAS = "pengawas"
    PELAKSANA = "pelaksana"
    FUNGSIONAL = "fungsional"


class Rating(StrEnum):
    """Rating of hasil kerja or perilaku kerja against expectation."""

    DI_ATAS = "di_atas_ekspektasi"
    SESUAI = "sesuai_ekspektasi"
    DI_BAWAH = "di_bawah_ekspektasi"


class Predikat(StrEnum):
    SANGAT_BAIK = "sangat_baik"
    BAIK = "baik"
    BUTUH_PERBAIKAN = "butuh_perbaikan"
    KURANG = "kurang"  # "Kurang/Misconduct" in the matrix
    SANGAT_KURANG = "sangat_kurang"


class BerakhlakValue(StrEnum):
    """The seven ASN core values (BerAKHLAK) against which perilaku kerja is judged."""

    BERORIENTASI_PELAYANAN = "berorientasi_pelayanan"
    AKUNTABEL = "akuntabel"
    KOMPETEN = "kompeten"
    HARMONIS = "harmonis"
    LOYAL = "loyal"
    ADAPTIF = "adaptif"
    KOLABORATIF = "kolaboratif"


class AssessmentSource(StrEnum):
    SELF = "mandiri"
    ATASAN = "atasan"
    PEER = "rekan_kerja"
    SUBORDINATE = "bawahan"
    PUBLIC = "publik"


def values(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]
