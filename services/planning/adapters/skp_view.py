"""The SKP read model, kept in step with the aggregate in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from services.planning.adapters.tables import skp_view
from services.planning.domain.skp import Skp
from shared.storage.upsert import upsert as upsert_row


def upsert(session: Session, skp: Skp) -> None:
    row = {
        "skp_id": skp.id,
        "tenant": skp.tenant,
        "nip": skp.owner.nip,
        "employee_name": skp.owner.name,
        "atasan_nip": skp.atasan.nip,
        "unit": skp.unit,
        "period_year": skp.period_year,
        "status": skp.status.value,
        "return_reason": skp.return_reason,
        "rhk": skp.rhk,
        "realisasi": sorted(skp.realisasi.values(), key=lambda r: (r["iki_id"], r["quarter"])),
        "version": skp.version,
        "updated_at": datetime.now(UTC),
    }
    upsert_row(session, skp_view, row, key=["skp_id"])


def find(session: Session, skp_id: str) -> dict[str, Any] | None:
    found = session.execute(select(skp_view).where(skp_view.c.skp_id == skp_id)).mappings().first()
    return dict(found) if found else None


def search(
    session: Session,
    tenant: str,
    *,
    nip: str | None = None,
    atasan_nip: str | None = None,
    period_year: int | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    query: Select[Any] = select(skp_view).where(skp_view.c.tenant == tenant)
    if nip:
        query = query.where(skp_view.c.nip == nip)
    if atasan_nip:
        query = query.where(skp_view.c.atasan_nip == atasan_nip)
    if period_year:
        query = query.where(skp_view.c.period_year == period_year)
    if status:
        query = query.where(skp_view.c.status == status)
    query = query.order_by(skp_view.c.period_year.desc(), skp_view.c.nip).limit(limit).offset(offset)
    return [dict(row) for row in session.execute(query).mappings()]
