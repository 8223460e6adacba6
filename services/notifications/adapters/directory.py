"""The service's own copy of people and units (from organisation events) and their preferences."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.notifications.adapters.tables import people, preferences, units
from services.notifications.domain.campaign import Member
from shared.storage import session_cache
from shared.storage.in_values import in_values
from shared.storage.read_models import find_row
from shared.storage.upsert import upsert

PERSON_FIELDS = (
    "name",
    "email",
    "unit_id",
    "unit_name",
    "position_kind",
    "is_unit_head",
    "atasan_nip",
    "atasan_name",
    "active",
)


def save_person(session: Session, tenant: str, record: dict[str, Any]) -> None:
    row = {"tenant": tenant, "nip": record["nip"], **{k: record.get(k) for k in PERSON_FIELDS}}
    row["is_unit_head"] = bool(row["is_unit_head"])
    row["active"] = True if row["active"] is None else bool(row["active"])
    row["updated_at"] = datetime.now(UTC)
    upsert(session, people, row, key=("tenant", "nip"))
    session_cache.forget(session, "person", (tenant, record["nip"]))


def save_unit(session: Session, tenant: str, record: dict[str, Any]) -> None:
    row = {
        "tenant": tenant,
        "unit_id": record["unit_id"],
        "name": record["name"],
        "parent_unit_id": record.get("parent_unit_id"),
    }
    upsert(session, units, row, key=("tenant", "unit_id"))


def person(session: Session, tenant: str, nip: str) -> dict[str, Any] | None:
    return session_cache.cached(
        session, "person", (tenant, nip), lambda: find_row(session, people, tenant=tenant, nip=nip)
    )


def prime_people(session: Session, tenant: str, nips: set[str]) -> None:
    """Read the people and preferences of many NIPs in two queries (a consumer batch's recipients)."""
    if not nips:
        return
    found = session.execute(
        select(people).where(people.c.tenant == tenant, in_values(session, people.c.nip, nips))
    ).mappings()
    by_nip: dict[str, Any] = dict.fromkeys(nips)
    by_nip.update({row["nip"]: dict(row) for row in found})
    session_cache.prime(session, "person", {(tenant, nip): row for nip, row in by_nip.items()})
    chosen = session.execute(
        select(preferences).where(preferences.c.tenant == tenant, in_values(session, preferences.c.nip, nips))
    ).mappings()
    by_nip = dict.fromkeys(nips)
    by_nip.update({row["nip"]: dict(row) for row in chosen})
    session_cache.prime(session, "preference", {(tenant, nip): row for nip, row in by_nip.items()})


def members(session: Session, tenant: str) -> list[Member]:
    rows = session.execute(select(people).where(people.c.tenant == tenant)).mappings().all()
    atasan = {r["atasan_nip"] for r in rows if r["atasan_nip"] and r["active"]}
    return [
        Member(
            nip=r["nip"],
            unit_id=r["unit_id"],
            position_kind=r["position_kind"],
            is_unit_head=bool(r["is_unit_head"]),
            is_atasan=r["nip"] in atasan,
            active=bool(r["active"]),
        )
        for r in rows
    ]


def unit_names(session: Session, tenant: str) -> dict[str, str]:
    named = {r.unit_id: r.name for r in session.execute(select(units).where(units.c.tenant == tenant))}
    # People carry their unit's name too: a unit not (yet) registered still reads as words.
    for r in session.execute(select(people.c.unit_id, people.c.unit_name).where(people.c.tenant == tenant)):
        named.setdefault(r.unit_id, r.unit_name)
    return named


def preference(session: Session, tenant: str, nip: str) -> dict[str, Any] | None:
    return session_cache.cached(
        session, "preference", (tenant, nip), lambda: find_row(session, preferences, tenant=tenant, nip=nip)
    )


def save_preference(session: Session, tenant: str, nip: str, language: str, channels: dict[str, list[str]]) -> None:
    row = {
        "tenant": tenant,
        "nip": nip,
        "language": language,
        "channels": channels,
        "updated_at": datetime.now(UTC),
    }
    upsert(session, preferences, row, key=("tenant", "nip"))
    session_cache.forget(session, "preference", (tenant, nip))


def people_and_preferences(
    session: Session, tenant: str
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Everyone of the instansi and their preferences, by NIP (one query each)."""
    persons = {r["nip"]: dict(r) for r in session.execute(select(people).where(people.c.tenant == tenant)).mappings()}
    prefs = {
        r["nip"]: dict(r) for r in session.execute(select(preferences).where(preferences.c.tenant == tenant)).mappings()
    }
    return persons, prefs
