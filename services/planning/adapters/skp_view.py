"""The SKP read model, kept in step with the aggregate in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.planning.adapters.tables import skp_view
from services.planning.domain.skp import Skp
from shared.storage.read_models import find_row, search_rows
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
    return find_row(session, skp_view, skp_id=skp_id)


def search(session: Session, tenant: str, *, limit: int = 100, offset: int = 0, **filters: Any) -> list[dict[str, Any]]:
    """Filters: nip, atasan_nip, period_year, status."""
    order = [skp_view.c.period_year.desc(), skp_view.c.nip]
    return search_rows(session, skp_view, tenant=tenant, filters=filters, order_by=order, limit=limit, offset=offset)
