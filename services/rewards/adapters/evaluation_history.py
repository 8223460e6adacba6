"""The evaluation history projection: one row per (tenant, nip, year, period), the latest result."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.rewards.adapters.tables import evaluation_history
from services.rewards.domain.decisions import ANNUAL, EvaluationResult
from shared.contracts.vocabulary import Predikat
from shared.storage.upsert import upsert


def record(session: Session, tenant: str, evaluation: EvaluationResult) -> None:
    row = {
        "tenant": tenant,
        "nip": evaluation.nip,
        "period_year": evaluation.period_year,
        "period": evaluation.period,
        "predikat": evaluation.predikat.value,
        "evaluation_id": evaluation.evaluation_id,
    }
    upsert(session, evaluation_history, row, key=["tenant", "nip", "period_year", "period"])


def annual_predikat(session: Session, tenant: str, nip: str, period_year: int) -> Predikat | None:
    t = evaluation_history
    found = session.execute(
        select(t.c.predikat).where(
            t.c.tenant == tenant, t.c.nip == nip, t.c.period_year == period_year, t.c.period == ANNUAL
        )
    ).scalar_one_or_none()
    return Predikat(found) if found else None
