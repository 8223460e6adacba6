"""Planning's SKP queries: one SKP, lists, the atasan's team, its history, the cascade tree."""

from __future__ import annotations

from typing import Any

from services.planning.adapters import history, organisation_view, skp_view
from services.planning.service_layer.skp_handlers import view
from shared.auth import Principal
from shared.errors import NotFound
from shared.storage.unit_of_work import UnitOfWork

MAX_CASCADE_DEPTH = 10  # JPT madya → pratama → administrator → pengawas → pelaksana, with room


def get_skp(uow: UnitOfWork, principal: Principal, skp_id: str) -> dict[str, Any]:
    found = view(uow, skp_id)
    if found["tenant"] != principal.tenant:
        raise NotFound("SKP", "SKP", skp_id)
    return found


def list_skp(uow: UnitOfWork, principal: Principal, **filters: Any) -> list[dict[str, Any]]:
    with uow:
        return skp_view.search(uow.session, principal.tenant, **filters)


def team(uow: UnitOfWork, principal: Principal, atasan_nip: str, period_year: int) -> list[dict[str, Any]]:
    """An atasan's direct subordinates (from the register) with the status of their plan."""
    with uow:
        members = organisation_view.direct_subordinates(uow.session, principal.tenant, atasan_nip)
        plans = skp_view.statuses(uow.session, principal.tenant, period_year, [m["nip"] for m in members])
    return [
        {
            **{k: member[k] for k in ("nip", "name", "position_name", "unit_id", "unit_name")},
            "plan_status": plans[member["nip"]]["status"] if member["nip"] in plans else "not_started",
            "skp_id": plans.get(member["nip"], {}).get("skp_id"),
            "amendment_pending": bool(plans.get(member["nip"], {}).get("pending_amendment")),
        }
        for member in members
    ]


def skp_history(uow: UnitOfWork, principal: Principal, skp_id: str) -> list[dict[str, Any]]:
    """Every step of the SKP — drafts, revisions, decisions, amendments with their reasons,
    realisasi and feedback — from its own events."""
    get_skp(uow, principal, skp_id)
    with uow:
        return history.history(uow.session, skp_id)


def cascade_tree(uow: UnitOfWork, principal: Principal, skp_id: str) -> dict[str, Any]:
    """From this SKP's RHK down to every RHK that intervenes them, level by level; with the RHK no
    subordinate supports yet (coverage)."""
    root = get_skp(uow, principal, skp_id)
    with uow:
        nodes = {r["rhk_id"]: _node(r) for r in skp_view.rhk_of(uow.session, skp_id)}
        roots = list(nodes.values())
        frontier = list(nodes)
        for _ in range(MAX_CASCADE_DEPTH):
            children = skp_view.rhk_intervening(uow.session, principal.tenant, frontier)
            children = [c for c in children if c["rhk_id"] not in nodes]  # a cycle cannot loop forever
            if not children:
                break
            for child in children:
                node = nodes[child["rhk_id"]] = _node(child)
                nodes[child["intervenes_rhk_id"]]["children"].append(node)
            frontier = [c["rhk_id"] for c in children]
    # Coverage is asked of the root plan and of every plan that has been cascaded into: its RHK
    # that no subordinate's RHK intervenes. A leaf plan at the bottom of the tree needs no supporters.
    cascaded_into = {skp_id} | {n["skp_id"] for n in nodes.values() if n["children"]}
    uncovered = [_brief(n) for n in nodes.values() if n["skp_id"] in cascaded_into and not n["children"]]
    return {
        "skp_id": skp_id,
        "nip": root["nip"],
        "period_year": root["period_year"],
        "rhk": roots,
        "rhk_count": len(nodes),
        "uncovered": uncovered,
    }


def _node(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("rhk_id", "skp_id", "nip", "employee_name", "status", "kind", "description", "intervenes_rhk_id")
    return {**{k: row[k] for k in keys}, "children": []}


def _brief(node: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k != "children"}
