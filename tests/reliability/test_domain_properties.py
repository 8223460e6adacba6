"""Property-based tests (hypothesis) of domain inputs people and spreadsheets send: NIP parsing and the
achievement of an IKI. Whatever the input, the rule answers within its contract — never a crash."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.evaluation.domain.scoring import achievement_pct
from shared.nip import Nip, NipError, nip_error, parse_nip

TODAY = date(2026, 11, 23)
anything = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.text(alphabet="0123456789", min_size=0, max_size=24),
    st.binary(max_size=20),
    st.lists(st.integers(), max_size=3),
)


@settings(max_examples=400, deadline=None)
@given(value=anything)
def test_parse_nip_returns_an_nip_or_names_the_rule_broken(value: object) -> None:
    error = nip_error(value, today=TODAY)
    if error is not None:
        assert error.code.startswith("nip_")
        assert error.message_id
        assert error.message_en
        with pytest.raises(NipError):
            parse_nip(value, today=TODAY)
        return
    nip = parse_nip(value, today=TODAY)
    assert isinstance(nip, Nip)
    assert nip.value == value
    assert len(value) == 18
    assert value.isdigit()
    assert nip.birth_date < TODAY
    assert nip_error(value, today=TODAY) is None


@settings(max_examples=300, deadline=None)
@given(
    born=st.dates(min_value=date(1960, 1, 1), max_value=date(2004, 12, 31)),
    start=st.integers(min_value=1980, max_value=2026),
    month=st.integers(min_value=1, max_value=12),
    sex=st.sampled_from("12"),
    serial=st.integers(min_value=1, max_value=999),
)
def test_a_well_formed_pns_nip_round_trips_its_parts(born: date, start: int, month: int, sex: str, serial: int) -> None:
    value = f"{born:%Y%m%d}{start:04d}{month:02d}{sex}{serial:03d}"
    error = nip_error(value, today=TODAY)
    if error is not None:  # a rule about ages at appointment may refuse it, by name
        assert error.code.startswith("nip_")
        return
    nip = parse_nip(value, today=TODAY)
    assert (nip.birth_date, nip.start_year, nip.serial) == (born, start, serial)


finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@settings(max_examples=500, deadline=None)
@given(
    target=finite,
    realisasi=st.one_of(st.none(), finite),
    direction=st.sampled_from(["higher_is_better", "lower_is_better"]),
)
def test_achievement_stays_within_zero_and_the_cap(target: float, realisasi: float | None, direction: str) -> None:
    pct = achievement_pct(target, realisasi, direction)
    if realisasi is None:
        assert pct is None
        return
    assert pct is not None
    assert math.isfinite(pct)
    assert 0 <= pct <= 200
    if target > 0 and realisasi == target:
        assert pct == 100


@settings(max_examples=300, deadline=None)
@given(target=st.floats(min_value=0.01, max_value=1e9), a=finite, b=finite)
def test_more_realisasi_is_never_worse_when_higher_is_better(target: float, a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert achievement_pct(target, low, "higher_is_better") <= achievement_pct(target, high, "higher_is_better")
    assert achievement_pct(target, low, "lower_is_better") >= achievement_pct(target, high, "lower_is_better")
