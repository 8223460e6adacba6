"""The assessments read model, written in the same transaction as the Assessment's event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.evaluation.adapters.tables import assessments
from services.evaluation.domain.assessment import Assessment
from shared.contracts.vocabulary import AssessmentSource
from shared.storage import session_cache
from shared.storage.in_values import in_values
from shared.storage.upsert import upsert as upsert_row


def upsert(session: Session, assessment: Assessment) -> None:
    row = {
        "assessment_id": assessment.id,
        "tenant": assessment.tenant,
        **{k: v for k, v in assessment.payload().items() if k != "assessment_id"},
        "recorded_at": datetime.now(UTC),
    }
    upsert_row(session, assessments, row, key=["assessment_id"])
    session_cache.forget(session, "assessments_of", (assessment.tenant, row["nip"], row["period_year"]))


def find(session: Session, assessment_id: str) -> dict[str, Any] | None:
    found = session.execute(select(assessments).where(assessments.c.assessment_id == assessment_id)).mappings().first()
    return dict(found) if found else None


def atasan_assessment(
    session: Session, tenant: str, nip: str, period_year: int, atasan_nip: str
) -> dict[str, Any] | None:
    """The atasan assessment to evaluate with: the current atasan's, else the latest by any atasan
    (the plan's atasan may have changed after assessing)."""
    by_atasan = [a for a in for_employee(session, tenant, nip, period_year) if a["source"] == ATASAN]
    by_atasan.reverse()  # the latest first
    return next((r for r in by_atasan if r["assessor_nip"] == atasan_nip), by_atasan[0] if by_atasan else None)


ATASAN = AssessmentSource.ATASAN.value


def for_employee(session: Session, tenant: str, nip: str, period_year: int) -> list[dict[str, Any]]:
    """Every assessment of the employee for the year, oldest first."""

    def load() -> list[dict[str, Any]]:
        query = select(assessments).where(
            assessments.c.tenant == tenant, assessments.c.nip == nip, assessments.c.period_year == period_year
        )
        return [dict(row) for row in session.execute(query.order_by(assessments.c.recorded_at)).mappings()]

    return session_cache.cached(session, "assessments_of", (tenant, nip, period_year), load)


def prime(session: Session, tenant: str, nips: set[str], period_year: int) -> None:
    """Read the assessments of many employees in one query (a period close's batch)."""
    query = select(assessments).where(
        assessments.c.tenant == tenant,
        in_values(session, assessments.c.nip, nips),
        assessments.c.period_year == period_year,
    )
    found: dict[Any, list[dict[str, Any]]] = {(tenant, nip, period_year): [] for nip in nips}
    for row in session.execute(query.order_by(assessments.c.recorded_at)).mappings():
        found[(tenant, row["nip"], period_year)].append(dict(row))
    session_cache.prime(session, "assessments_of", found)


def for_year(session: Session, tenant: str, period_year: int) -> list[dict[str, Any]]:
    query = select(assessments).where(assessments.c.tenant == tenant, assessments.c.period_year == period_year)
    return [dict(row) for row in session.execute(query).mappings()]
