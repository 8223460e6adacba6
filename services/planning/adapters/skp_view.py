"""The SKP read models — one row per SKP, one per RHK for the cascade — kept in step with the
aggregate in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from services.planning.adapters.tables import rhk_link, skp_view
from services.planning.domain.skp import Skp
from shared.storage.in_values import in_values
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
        "unit_id": skp.unit_id,
        "period_year": skp.period_year,
        "template": skp.template.value,
        "status": skp.status.value,
        "return_reason": skp.return_reason,
        "rhk": skp.rhk,
        "expectations": skp.expectations,
        "annex": skp.annex,
        "results_follow_unit": skp.results_follow_unit,
        "amendment_no": skp.amendment_no,
        "pending_amendment": skp.pending_amendment,
        "realisasi": sorted(skp.realisasi.values(), key=lambda r: (r["iki_id"], r["quarter"])),
        "version": skp.version,
        "updated_at": datetime.now(UTC),
    }
    upsert_row(session, skp_view, row, key=["skp_id"])
    _replace_rhk_links(session, skp)


def _replace_rhk_links(session: Session, skp: Skp) -> None:
    session.execute(delete(rhk_link).where(rhk_link.c.skp_id == skp.id))
    rows = [
        {
            "rhk_id": item["rhk_id"],
            "tenant": skp.tenant,
            "period_year": skp.period_year,
            "skp_id": skp.id,
            "nip": skp.owner.nip,
            "employee_name": skp.owner.name,
            "status": skp.status.value,
            "kind": item["kind"],
            "description": item["description"],
            "intervenes_rhk_id": item.get("intervenes_rhk_id"),
        }
        for item in skp.rhk
    ]
    session.execute(insert(rhk_link), rows)


def find(session: Session, skp_id: str) -> dict[str, Any] | None:
    return find_row(session, skp_view, skp_id=skp_id)


def search(session: Session, tenant: str, *, limit: int = 100, offset: int = 0, **filters: Any) -> list[dict[str, Any]]:
    """Filters: nip, atasan_nip, period_year, status, unit_id."""
    order = [skp_view.c.period_year.desc(), skp_view.c.nip]
    return search_rows(session, skp_view, tenant=tenant, filters=filters, order_by=order, limit=limit, offset=offset)


def statuses(session: Session, tenant: str, period_year: int, nips: list[str]) -> dict[str, dict[str, Any]]:
    """nip -> {skp_id, status, pending_amendment} of those employees' SKPs for the period."""
    if not nips:
        return {}
    query = select(skp_view.c.nip, skp_view.c.skp_id, skp_view.c.status, skp_view.c.pending_amendment).where(
        skp_view.c.tenant == tenant, skp_view.c.period_year == period_year, in_values(session, skp_view.c.nip, nips)
    )
    return {row.nip: dict(row._mapping) for row in session.execute(query)}


def rhk_of(session: Session, skp_id: str) -> list[dict[str, Any]]:
    query = select(rhk_link).where(rhk_link.c.skp_id == skp_id).order_by(rhk_link.c.rhk_id)
    return [dict(row) for row in session.execute(query).mappings()]


def rhk_intervening(session: Session, tenant: str, rhk_ids: list[str]) -> list[dict[str, Any]]:
    """The RHK (of any SKP of the tenant) that intervene one of `rhk_ids`."""
    if not rhk_ids:
        return []
    query = (
        select(rhk_link)
        .where(rhk_link.c.tenant == tenant, rhk_link.c.intervenes_rhk_id.in_(rhk_ids))
        .order_by(rhk_link.c.nip, rhk_link.c.rhk_id)
    )
    return [dict(row) for row in session.execute(query).mappings()]
