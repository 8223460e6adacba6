"""IKM survey batches, complaint records and organisation predikat: read models of evaluation's own
records, written in the same transaction as their events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from services.evaluation.adapters.tables import complaints, ikm_surveys, organisation_predikat
from services.evaluation.domain.public_input import IkmTally
from shared.storage import session_cache
from shared.storage.in_values import in_values
from shared.storage.read_models import find_row
from shared.storage.upsert import upsert

PUBLIC_INPUT = "public_input"  # session cache of IKM tallies and complaint rows, dropped on any write


def add_ikm_batch(session: Session, row: dict[str, Any]) -> None:
    upsert(session, ikm_surveys, row, key=["survey_id"])
    session_cache.forget_all(session, PUBLIC_INPUT)


def _ikm_key(tenant: str, unit_ids: set[str], period_year: int, period: str | None) -> tuple:
    return ("ikm", tenant, frozenset(unit_ids), period_year, period)


def _complaints_key(tenant: str, unit_ids: set[str], period_year: int) -> tuple:
    return ("complaints", tenant, frozenset(unit_ids), period_year)


def _ikm_query(tenant: str, period_year: int, period: str | None) -> Select:
    query = select(ikm_surveys.c.unit_id, ikm_surveys.c.sums, ikm_surveys.c.respondents).where(
        ikm_surveys.c.tenant == tenant, ikm_surveys.c.period_year == period_year
    )
    if period and period != "annual":
        query = query.where(ikm_surveys.c.period == period)
    return query


def _complaints_query(tenant: str, period_year: int) -> Select:
    return select(complaints).where(complaints.c.tenant == tenant, complaints.c.period_year == period_year)


def ikm_tally(session: Session, tenant: str, unit_ids: set[str], period_year: int, period: str | None) -> IkmTally:
    """All batches of the units for the year (period None or 'annual': every period of the year)."""

    def load() -> IkmTally:
        query = _ikm_query(tenant, period_year, period).where(ikm_surveys.c.unit_id.in_(unit_ids))
        return IkmTally.combine(IkmTally(row.sums, row.respondents) for row in session.execute(query))

    # once per transaction: every employee of a public-facing unit in a close batch reads the same
    return session_cache.cached(session, PUBLIC_INPUT, _ikm_key(tenant, unit_ids, period_year, period), load)


def prime_public_input(session: Session, tenant: str, unit_ids: set[str], period_year: int, period: str | None) -> None:
    """Read the IKM batches and complaints of many units in one query each (a close batch's
    public-facing units), for `ikm_tally` and `complaint_rows` of each single unit to serve."""
    ikm_wanted = _uncached(session, unit_ids, lambda unit_id: _ikm_key(tenant, {unit_id}, period_year, period))
    if ikm_wanted:
        batches: dict[str, list[IkmTally]] = {unit_id: [] for unit_id in ikm_wanted}
        query = _ikm_query(tenant, period_year, period).where(in_values(session, ikm_surveys.c.unit_id, ikm_wanted))
        for row in session.execute(query):
            batches[row.unit_id].append(IkmTally(row.sums, row.respondents))
        session_cache.prime(
            session,
            PUBLIC_INPUT,
            {_ikm_key(tenant, {u}, period_year, period): IkmTally.combine(b) for u, b in batches.items()},
        )
    complaints_wanted = _uncached(session, unit_ids, lambda unit_id: _complaints_key(tenant, {unit_id}, period_year))
    if complaints_wanted:
        rows: dict[str, list[dict[str, Any]]] = {unit_id: [] for unit_id in complaints_wanted}
        in_batch = in_values(session, complaints.c.unit_id, complaints_wanted)
        query = _complaints_query(tenant, period_year).where(in_batch)
        for row in session.execute(query).mappings():
            rows[row["unit_id"]].append(dict(row))
        session_cache.prime(
            session, PUBLIC_INPUT, {_complaints_key(tenant, {u}, period_year): r for u, r in rows.items()}
        )


def _uncached(session: Session, unit_ids: set[str], key_of: Callable[[str], tuple]) -> set[str]:
    keys = {key_of(unit_id): unit_id for unit_id in unit_ids}
    return {keys[key] for key in session_cache.missing(session, PUBLIC_INPUT, keys)}


def find_complaint(session: Session, tenant: str, complaint_id: str) -> dict[str, Any] | None:
    return find_row(session, complaints, tenant=tenant, complaint_id=complaint_id)


def upsert_complaint(session: Session, row: dict[str, Any]) -> None:
    upsert(session, complaints, row, key=["tenant", "complaint_id"])
    session_cache.forget_all(session, PUBLIC_INPUT)


def complaint_rows(
    session: Session, tenant: str, unit_ids: set[str], period_year: int, period: str | None = None
) -> list[dict[str, Any]]:
    """Complaints received in the year, or in the quarter for Q1–Q4 (by the month of receipt)."""

    def load() -> list[dict[str, Any]]:
        query = _complaints_query(tenant, period_year).where(complaints.c.unit_id.in_(unit_ids))
        return [dict(row) for row in session.execute(query).mappings()]

    rows = session_cache.cached(session, PUBLIC_INPUT, _complaints_key(tenant, unit_ids, period_year), load)
    if period and period != "annual":
        quarter = int(period.removeprefix("Q"))
        rows = [row for row in rows if (row["received_at"].month - 1) // 3 + 1 == quarter]
    return rows


def find_org_predikat(session: Session, tenant: str, unit_id: str, period_year: int, period: str) -> dict | None:
    return find_row(
        session, organisation_predikat, tenant=tenant, unit_id=unit_id, period_year=period_year, period=period
    )


def set_org_predikat(session: Session, row: dict[str, Any]) -> None:
    upsert(session, organisation_predikat, row, key=["tenant", "unit_id", "period_year", "period"])
