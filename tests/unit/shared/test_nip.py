"""NIP rules at their edges: each refusal names the rule broken, in Indonesian and English."""

from __future__ import annotations

from datetime import date

import pytest

from shared.nip import NipError, NipKind, Sex, check_nip_kind, nip_error, parse_nip

TODAY = date(2026, 11, 23)


def code(value: object) -> str | None:
    error = nip_error(value, today=TODAY)
    return error.code if error else None


def test_a_pns_nip_is_read_part_by_part() -> None:
    nip = parse_nip("196804111993031009", today=TODAY)
    assert (nip.kind, nip.birth_date, nip.start_year, nip.start_month) == (NipKind.PNS, date(1968, 4, 11), 1993, 3)
    assert (nip.sex, nip.serial, nip.pppk_marker) == (Sex.MALE, 9, None)


def test_a_pppk_number_carries_the_appointment_year_and_a_marker() -> None:
    nip = parse_nip("199712202023212008", today=TODAY)
    assert (nip.kind, nip.start_year, nip.pppk_marker, nip.start_month, nip.sex) == (
        NipKind.PPPK, 2023, 21, None, Sex.FEMALE,
    )  # fmt: skip
    assert parse_nip("199009132025242014", today=TODAY).pppk_marker == 24  # paruh waktu


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (198503302010011002, "nip_not_text"),
        ("19850330201001100", "nip_length"),
        ("1985033020100110021", "nip_length"),
        ("19850330201001100A", "nip_not_digits"),
        ("１９８５０３３０２０１００１１００２", "nip_not_digits"),  # full-width digits are not ASCII
        ("198502302010011002", "nip_birth_date_invalid"),  # 30 February
        ("198513012010011002", "nip_birth_date_invalid"),  # month 13
        ("198500012010011002", "nip_birth_date_invalid"),
        ("200901012027011002", "nip_birth_date_implausible"),  # 17 years old
        ("195511222010011002", "nip_birth_date_implausible"),  # 71 years old
        ("198503302010001002", "nip_start_month_invalid"),  # month 00
        ("198503302010131002", "nip_start_month_invalid"),  # 13: neither month nor PPPK marker
        ("198503302010201002", "nip_start_month_invalid"),
        ("198503302010301002", "nip_start_month_invalid"),
        ("198503302003021002", "nip_start_before_adulthood"),  # CPNS at 17 years 11 months
        ("199001012028011001", "nip_start_in_future"),
        ("198503302018211002", "nip_pppk_year_invalid"),  # PPPK before 2019
        ("198503302028211002", "nip_pppk_year_invalid"),
        ("198503302010013002", "nip_sex_digit_invalid"),
        ("198503302010010002", "nip_sex_digit_invalid"),
        ("198503302010011000", "nip_serial_invalid"),
    ],
)
def test_each_rule_is_named(value: object, expected: str) -> None:
    assert code(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "198503302003031001",  # CPNS in the very month of the 18th birthday
        "195611242000011001",  # 69 years old today
        "200811232026111001",  # just 18 today, CPNS this month
        "198503302010121999",  # December start, serial 999
        "198503302019291001",  # PPPK of the first year, highest marker
        "199001012027011001",  # start within the coming twelve months
    ],
)
def test_edge_values_that_are_valid(value: str) -> None:
    assert code(value) is None


def test_messages_are_bilingual_and_carry_the_code() -> None:
    with pytest.raises(NipError) as caught:
        parse_nip("198502302010011002", today=TODAY)
    error = caught.value
    assert "tanggal lahir" in error.message_id
    assert "birth date" in error.message_en
    assert error.bilingual().count("(nip_birth_date_invalid)") == 2


def test_employee_type_must_match_the_form_of_the_number() -> None:
    pns, pppk = parse_nip("198503302010011002", today=TODAY), parse_nip("199712202023212008", today=TODAY)
    assert check_nip_kind(pns, "pns") is None
    assert check_nip_kind(pppk, "pppk") is None
    mismatch = check_nip_kind(pns, "pppk")
    assert mismatch is not None
    assert mismatch.code == "nip_type_mismatch"
