"""The decisions read model (rewards and coachings), written in the decision's own transaction."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from services.rewards.adapters.tables import decisions, eventing
from services.rewards.domain.decisions import Decision
from shared.storage import deferred_writes, session_cache
from shared.storage.read_models import find_row

# Session cache: (tenant, period_year, unit_id) -> [(seq, decision_id, gross_amount)] of the unit's
# decisions in force, in decision order, kept up to date by `add` (whose row waits for the batch end).
UNIT_CLAIMS = "unit_claims"


def _next_seq(session: Session) -> int:
    """The next place in the order: max(seq) read once per transaction, then counted on (a batch's
    decisions take consecutive places). Copies deciding at once may tie; readers break ties by id."""
    counter = session_cache.cached(
        session,
        "decision_seq",
        None,
        lambda: [session.execute(select(func.coalesce(func.max(decisions.c.seq), 0))).scalar_one()],
    )
    counter[0] += 1
    return counter[0]


def add(session: Session, decision: Decision, *, new: bool = False) -> None:
    """Insert or refresh the decision's row; the first write fixes its time and its place in the order.
    `new`: the decision was just taken, so it has no row yet (no lookup)."""
    facts = decision.facts
    consequences = facts["consequences"]
    existing = None if new else find(session, decision.id)
    if existing:
        created_at, seq = existing["created_at"], existing["seq"]
    else:
        created_at = datetime.now(UTC)
        seq = _next_seq(session)
    details = decision.details()
    row = {
        "decision_id": decision.id,
        "tenant": decision.tenant,
        "nip": facts["nip"],
        "employee_name": facts["employee_name"],
        "period_year": facts["period_year"],
        "kind": decision.kind,
        "predikat": facts["predikat"],
        "incentive_percentage": facts["incentive_percentage"],
        "details": details,
        "policy_version": facts["policy_version"],
        "evaluation_id": facts["evaluation_id"],
        "created_at": created_at,
        "unit_id": consequences["unit_id"],
        "unit_name": consequences["unit_name"],
        "state": details["state"],
        "active": decision.revoked is None,
        "gross_amount": consequences["gross_amount"],
        "seq": seq,
    }
    deferred_writes.upsert_later(session, decisions, row, key=["decision_id"])
    _keep_unit_claims(session, row)


def _keep_unit_claims(session: Session, row: dict[str, Any]) -> None:
    """The cached claims of the row's unit, if read in this transaction, as they now stand."""
    claims = session_cache.peek(session, UNIT_CLAIMS, (row["tenant"], row["period_year"], row["unit_id"]))
    if claims is None:  # not read yet: a later read syncs the queued row first
        return
    claims[:] = [c for c in claims if c[1] != row["decision_id"]]
    if row["active"]:
        claims.append((row["seq"], row["decision_id"], row["gross_amount"]))
        claims.sort(key=lambda c: (c[0], c[1]))  # the database's order: seq, ties by id


def find(session: Session, decision_id: str) -> dict[str, Any] | None:
    deferred_writes.sync(session)
    return find_row(session, decisions, decision_id=decision_id)


def search(
    session: Session,
    tenant: str,
    *,
    limit: int = 100,
    offset: int = 0,
    nips: Collection[str] | None = None,
    **filters: Any,
) -> list[dict[str, Any]]:
    """Equality filters (nip, period_year, kind, unit_id, state, active); `nips` limits to those employees."""
    deferred_writes.sync(session)
    t = decisions
    query = select(t).where(t.c.tenant == tenant)
    for name, value in filters.items():
        if value not in (None, ""):
            query = query.where(t.c[name] == value)
    if nips is not None:
        query = query.where(t.c.nip.in_(list(nips)))
    query = query.order_by(t.c.period_year.desc(), t.c.nip, t.c.seq.desc()).limit(limit).offset(offset)
    return [dict(row) for row in session.execute(query).mappings()]


def register_rows(session: Session, tenant: str, period_year: int, unit_id: str | None = None) -> list[dict[str, Any]]:
    """The period's decisions in force (of one unit, if given), in decision order (a waitlist's order)."""
    deferred_writes.sync(session)
    t = decisions
    query = select(t).where(t.c.tenant == tenant, t.c.period_year == period_year, t.c.active.is_(True))
    if unit_id is not None:
        query = query.where(t.c.unit_id == unit_id)
    # seq ties (two consumers inserting at once) are broken by the id, so the order is stable.
    return [dict(row) for row in session.execute(query.order_by(t.c.seq, t.c.decision_id)).mappings()]


# Built once: read per decision at year-end, where building and keying the statement each time
# cost as much as running it.
_CLAIM_COLUMNS = (decisions.c.unit_id, decisions.c.seq, decisions.c.decision_id, decisions.c.gross_amount)
_IN_FORCE = (
    decisions.c.tenant == bindparam("tenant"),
    decisions.c.period_year == bindparam("period_year"),
    decisions.c.active.is_(True),
)
_ORDER = (decisions.c.seq, decisions.c.decision_id)
_UNIT_CLAIMS = select(*_CLAIM_COLUMNS).where(*_IN_FORCE, decisions.c.unit_id == bindparam("unit_id")).order_by(*_ORDER)
_UNITS_CLAIMS = (
    select(*_CLAIM_COLUMNS)
    .where(*_IN_FORCE, decisions.c.unit_id.in_(bindparam("unit_ids", expanding=True)))
    .order_by(*_ORDER)
)


def unit_claims(session: Session, tenant: str, period_year: int, unit_id: str) -> list[tuple[str, float | None]]:
    """(decision id, gross amount) of a unit's decisions in force, in decision order — what a budget
    allocation needs, without the rows' details (read per decision at year-end: once per
    transaction, or for a whole batch by `prime_unit_claims`, then kept by `add`)."""
    key = (tenant, period_year, unit_id)
    claims = session_cache.peek(session, UNIT_CLAIMS, key)
    if claims is None:
        deferred_writes.sync(session)
        params = {"tenant": tenant, "period_year": period_year, "unit_id": unit_id}
        claims = [(r.seq, r.decision_id, r.gross_amount) for r in session.execute(_UNIT_CLAIMS, params)]
        session_cache.prime(session, UNIT_CLAIMS, {key: claims})
    return [(decision_id, gross) for _, decision_id, gross in claims]


def prime_unit_claims(session: Session, tenant: str, period_year: int, unit_ids: set[str]) -> None:
    """The claims of many units in one query (a consumer batch's)."""
    wanted = session_cache.missing(session, UNIT_CLAIMS, ((tenant, period_year, u) for u in unit_ids))
    if not wanted:
        return
    deferred_writes.sync(session)
    found: dict[tuple[str, int, str], list[tuple[int, str, float | None]]] = {key: [] for key in wanted}
    params = {"tenant": tenant, "period_year": period_year, "unit_ids": [key[2] for key in wanted]}
    for r in session.execute(_UNITS_CLAIMS, params):
        found[(tenant, period_year, r.unit_id)].append((r.seq, r.decision_id, r.gross_amount))
    session_cache.prime(session, UNIT_CLAIMS, found)


def history(session: Session, decision_id: str) -> list[dict[str, Any]]:
    """Every step of a decision from its event store: what happened, when, by whom (`rewards` = the service)."""
    t = eventing.event_store
    query = (
        select(t.c.version, t.c.event_type, t.c.occurred_at, t.c.actor, t.c.data)
        .where(t.c.aggregate_id == decision_id)
        .order_by(t.c.version)
    )
    return [dict(row) for row in session.execute(query).mappings()]
