"""A close batch reads its public-facing units' IKM batches and complaints up front: what the
evaluation then reads per unit is what it would have read on its own, without another query."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from services.evaluation.adapters import public_input_store
from services.evaluation.domain.public_input import IKM_ELEMENTS
from tests.unit.evaluation.evaluation_samples import YEAR
from tests.unit.evaluation.org_samples import DINKES, ORGANISATION, PUSKESMAS

TENANT = "1671"
UNITS = {PUSKESMAS, DINKES}  # DINKES has no public input: it reads as empty, not as missing


@pytest.fixture
def public_input(organised, client, auth) -> None:
    admin = auth("1" * 18, "admin_instansi")
    for period, scores in (("Q1", [4, 3]), ("Q2", [2])):
        body = {"period_year": YEAR, "period": period, "responses": [dict.fromkeys(IKM_ELEMENTS, s) for s in scores]}
        assert client.post(f"/api/v1/units/{PUSKESMAS}/ikm", json=body, headers=admin).status_code == 201
    for n, received in enumerate(["2026-03-02T08:00:00+07:00", "2026-05-02T08:00:00+07:00"]):
        complaint = {"complaint_id": f"LAPOR-{n}", "received_at": received}
        assert client.post(f"/api/v1/units/{PUSKESMAS}/complaints", json=complaint, headers=admin).status_code == 200


@pytest.fixture
def organised(deliver):
    for envelope in ORGANISATION:
        deliver(envelope)


@contextmanager
def counting_queries(runtime) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(runtime.engine, "before_cursor_execute", count)


def _reads(session, period: str) -> dict:
    return {
        unit: (
            public_input_store.ikm_tally(session, TENANT, {unit}, YEAR, period),
            public_input_store.complaint_rows(session, TENANT, {unit}, YEAR, period),
        )
        for unit in sorted(UNITS)
    }


@pytest.mark.parametrize("period", ["annual", "Q1", "Q2"])
def test_primed_reads_equal_reads_of_one_unit_and_need_no_query(runtime, public_input, period):
    with runtime.uow() as uow:
        unprimed = _reads(uow.session, period)
    with runtime.uow() as uow:
        public_input_store.prime_public_input(uow.session, TENANT, UNITS, YEAR, period)
        with counting_queries(runtime) as statements:
            primed = _reads(uow.session, period)
    assert statements == []
    assert primed == unprimed
    tally, complaints = primed[PUSKESMAS]
    assert tally.respondents == {"annual": 3, "Q1": 2, "Q2": 1}[period]
    assert len(complaints) == {"annual": 2, "Q1": 1, "Q2": 1}[period]
    assert primed[DINKES][0].respondents == 0
    assert primed[DINKES][1] == []


def test_priming_twice_reads_nothing_the_second_time(runtime, public_input):
    with runtime.uow() as uow:
        public_input_store.prime_public_input(uow.session, TENANT, UNITS, YEAR, "annual")
        with counting_queries(runtime) as statements:
            public_input_store.prime_public_input(uow.session, TENANT, UNITS, YEAR, "annual")
        assert statements == []
