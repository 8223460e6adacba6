"""The evaluation history projection: one row per (tenant, nip, year, period), the latest result."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.rewards.adapters.tables import evaluation_history
from services.rewards.domain.decisions import ANNUAL, EvaluationResult
from shared.contracts.vocabulary import Predikat
from shared.storage import deferred_writes, session_cache
from shared.storage.in_values import in_values


def record(session: Session, tenant: str, evaluation: EvaluationResult) -> None:
    row = {
        "tenant": tenant,
        "nip": evaluation.nip,
        "period_year": evaluation.period_year,
        "period": evaluation.period,
        "predikat": evaluation.predikat.value,
        "evaluation_id": evaluation.evaluation_id,
    }
    # Written at the end of a consumer batch; until then `annual_predikat` answers from the cache.
    deferred_writes.upsert_later(session, evaluation_history, row, key=["tenant", "nip", "period_year", "period"])
    if evaluation.period == ANNUAL:
        key = (tenant, evaluation.nip, evaluation.period_year)
        session_cache.prime(session, "annual_predikat", {key: row["predikat"]})


def annual_predikat(session: Session, tenant: str, nip: str, period_year: int) -> Predikat | None:
    t = evaluation_history

    def load() -> str | None:
        return session.execute(
            select(t.c.predikat).where(
                t.c.tenant == tenant, t.c.nip == nip, t.c.period_year == period_year, t.c.period == ANNUAL
            )
        ).scalar_one_or_none()

    found = session_cache.cached(session, "annual_predikat", (tenant, nip, period_year), load)
    return Predikat(found) if found else None


def prime_annual(session: Session, tenant: str, nips: set[str], years: set[int]) -> None:
    """Read the annual predikat of many employees and years in one query (a consumer batch)."""
    t = evaluation_history
    query = select(t.c.nip, t.c.period_year, t.c.predikat).where(
        t.c.tenant == tenant, in_values(session, t.c.nip, nips), t.c.period_year.in_(years), t.c.period == ANNUAL
    )
    found: dict[tuple[str, str, int], str | None] = {(tenant, nip, year): None for nip in nips for year in years}
    found.update({(tenant, r.nip, r.period_year): r.predikat for r in session.execute(query)})
    session_cache.prime(session, "annual_predikat", found)
