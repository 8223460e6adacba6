"""Published policy versions: added by the instansi admin through the API, never updated."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from services.rewards.adapters.policies import PolicyBook, policy_from_data, validate_policy
from services.rewards.adapters.tables import policy_versions
from services.rewards.domain.policy import Policy
from shared.storage import session_cache


def published(session: Session, tenant: str) -> list[tuple[Policy, dict[str, Any]]]:
    """The tenant's published versions in publication order, with who published them and when."""
    t = policy_versions
    rows = session.execute(select(t).where(t.c.tenant == tenant).order_by(t.c.seq)).mappings()
    out = []
    for row in rows:
        policy = policy_from_data(validate_policy(row["document"]), tenant, source="published")
        out.append((policy, {"published_at": row["published_at"], "published_by": row["published_by"]}))
    return out


def versions_for(session: Session, book: PolicyBook, tenant: str) -> list[Policy]:
    """Every version that applies to the tenant, in publication order: packaged first, then published.
    Read once per transaction (a consumer batch decides for many employees of the instansi)."""
    return session_cache.cached(
        session,
        "policy_versions",
        tenant,
        lambda: [*book.packaged_versions(tenant), *(p for p, _ in published(session, tenant))],
    )


def add(session: Session, tenant: str, document: dict[str, Any], published_by: str) -> None:
    t = policy_versions
    seq = session.execute(select(func.coalesce(func.max(t.c.seq), 0)).where(t.c.tenant == tenant)).scalar_one() + 1
    session.execute(
        insert(t).values(
            tenant=tenant,
            version=document["version"],
            effective_from=datetime.fromisoformat(document["effective_from"]).date(),
            document=document,
            published_at=datetime.now(UTC),
            published_by=published_by,
            seq=seq,
        )
    )
    session_cache.forget(session, "policy_versions", tenant)
