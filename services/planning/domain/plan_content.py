"""The content of an SKP — RHK with their IKI, the annex — and the rules it must meet.

Pure functions over plain dicts (the shapes of the event contract), no I/O. The rules that look
at other plans (cascading from the atasan's RHK, unit-level targets) get what they need passed in
a `CascadeContext` by the service layer.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from shared.contracts.vocabulary import RhkKind, SkpTemplate
from shared.errors import DomainError

EMPTY_ANNEX: dict[str, list[str]] = {"dukungan_sumber_daya": [], "skema_pertanggungjawaban": [], "konsekuensi": []}


@dataclass(frozen=True)
class CascadeContext:
    """What the plan rules need to know of the rest of the organisation's plans."""

    atasan_rhk: dict[str, str] | None = None  # rhk_id -> description of the atasan's SKP; None: no atasan SKP
    unit_targets: dict[str, dict[str, Any]] = field(default_factory=dict)  # targets of the owner's unit
    is_unit_head: bool = False


def _error(code: str, field_name: str, indonesian: str, english: str) -> DomainError:
    return DomainError(code, indonesian, english, field=field_name)


def _suffix_number(item_id: str, marker: str) -> int:
    tail = item_id.rsplit(".", 1)[-1]
    return int(tail[len(marker) :]) if tail.startswith(marker) and tail[len(marker) :].isdigit() else 0


def number_plan(skp_id: str, rhk: list[dict[str, Any]], current: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give every new RHK and IKI an id; keep the ids of those carried over from `current`.

    Ids are stable across revisions and amendments, so realisasi reported against an IKI and
    subordinates' RHK that intervene an RHK stay attached to it. An id the caller sends must be one
    of the current plan's (no inventing, no moving an IKI to another RHK).
    """
    known_rhk = {r["rhk_id"]: r for r in current}
    next_rhk = max((_suffix_number(r, "rhk") for r in known_rhk), default=0)
    numbered = deepcopy(rhk)
    seen: set[str] = set()
    for i, item in enumerate(numbered):
        rhk_id = item.get("rhk_id")
        if rhk_id is not None and (rhk_id not in known_rhk or rhk_id in seen):
            raise _error(
                "unknown_rhk",
                f"rhk.{i}.rhk_id",
                f"RHK '{rhk_id}' bukan bagian dari SKP ini (atau disebut dua kali).",
                f"RHK '{rhk_id}' is not part of this SKP (or is named twice).",
            )
        if rhk_id is None:
            next_rhk += 1
            rhk_id = f"{skp_id}.rhk{next_rhk}"
        seen.add(rhk_id)
        item["rhk_id"] = rhk_id
        item.setdefault("intervenes_rhk_id", None)
        item.setdefault("perspective", None)
        known_iki = {k["iki_id"] for k in known_rhk.get(rhk_id, {}).get("iki", [])}
        next_iki = max((_suffix_number(k, "iki") for k in known_iki), default=0)
        for j, iki in enumerate(item["iki"]):
            iki_id = iki.get("iki_id")
            if iki_id is not None and (iki_id not in known_iki or iki_id in seen):
                raise _error(
                    "unknown_iki",
                    f"rhk.{i}.iki.{j}.iki_id",
                    f"IKI '{iki_id}' bukan bagian dari RHK ini (atau disebut dua kali).",
                    f"IKI '{iki_id}' is not part of this RHK (or is named twice).",
                )
            if iki_id is None:
                next_iki += 1
                iki_id = f"{rhk_id}.iki{next_iki}"
            seen.add(iki_id)
            iki["iki_id"] = iki_id
            iki.setdefault("unit_target_id", None)
    return numbered


def check_content(
    template: SkpTemplate, rhk: list[dict[str, Any]], results_follow_unit: bool, context: CascadeContext
) -> list[dict[str, Any]]:
    """Check a plan's content; return it with the unit targets' figures filled into linked IKI."""
    if not any(item["kind"] == RhkKind.UTAMA for item in rhk):
        raise _error(
            "no_rhk_utama", "rhk", "SKP harus memuat paling sedikit satu RHK utama.", "An SKP needs an RHK utama."
        )
    checked = deepcopy(rhk)
    for i, item in enumerate(checked):
        _check_perspective(template, i, item)
        _check_intervention(i, item, context)
        for j, iki in enumerate(item["iki"]):
            _link_unit_target(i, j, iki, context)
    if results_follow_unit and not any(iki.get("unit_target_id") for item in checked for iki in item["iki"]):
        raise _error(
            "no_unit_target",
            "results_follow_unit",
            "Hasil kerja hanya dapat mengikuti capaian unit bila ada IKI yang terkait target unit.",
            "Results can follow the unit's achievement only if an IKI is linked to a unit target.",
        )
    return checked


def check_cascaded(rhk: list[dict[str, Any]], context: CascadeContext) -> None:
    """Before submitting: each RHK utama is cascaded — it intervenes an RHK of the atasan's SKP, or
    (for a unit head) carries the unit's own targets. Plans at the top of the tree are exempt."""
    if context.atasan_rhk is None:
        return
    for i, item in enumerate(rhk):
        carries_unit_target = any(iki.get("unit_target_id") for iki in item["iki"])
        if item["kind"] == RhkKind.UTAMA and not item.get("intervenes_rhk_id") and not carries_unit_target:
            raise _error(
                "rhk_not_cascaded",
                f"rhk.{i}.intervenes_rhk_id",
                f"RHK utama '{item['description'][:60]}' belum mengintervensi RHK atasan.",
                f"RHK utama '{item['description'][:60]}' does not intervene an RHK of the atasan's SKP.",
            )
        _check_intervention(i, item, context)  # the atasan may have revised their plan since


def _check_perspective(template: SkpTemplate, i: int, item: dict[str, Any]) -> None:
    if template == SkpTemplate.JPT and not item.get("perspective"):
        raise _error(
            "perspective_required",
            f"rhk.{i}.perspective",
            "Setiap RHK pada SKP JPT harus memiliki perspektif.",
            "Every RHK of a JPT plan needs a perspective.",
        )
    if template == SkpTemplate.JA_JF and item.get("perspective"):
        raise _error(
            "perspective_not_applicable",
            f"rhk.{i}.perspective",
            "Perspektif hanya dipakai pada SKP JPT.",
            "Perspectives belong to JPT plans only.",
        )


def _check_intervention(i: int, item: dict[str, Any], context: CascadeContext) -> None:
    target = item.get("intervenes_rhk_id")
    if target is None:
        return
    if context.atasan_rhk is None:
        raise _error(
            "atasan_skp_missing",
            f"rhk.{i}.intervenes_rhk_id",
            "Atasan belum memiliki SKP pada periode ini, sehingga RHK-nya belum dapat diintervensi.",
            "The atasan has no SKP for this period, so none of their RHK can be intervened yet.",
        )
    if target not in context.atasan_rhk:
        raise _error(
            "unknown_atasan_rhk",
            f"rhk.{i}.intervenes_rhk_id",
            f"RHK '{target}' tidak ada di SKP atasan periode ini.",
            f"RHK '{target}' is not in the atasan's SKP for this period.",
        )


def _link_unit_target(i: int, j: int, iki: dict[str, Any], context: CascadeContext) -> None:
    target_id = iki.get("unit_target_id")
    if target_id is None:
        return
    field_name = f"rhk.{i}.iki.{j}.unit_target_id"
    if not context.is_unit_head:
        raise _error(
            "not_unit_head",
            field_name,
            "Hanya kepala unit yang dapat memuat target unit dalam SKP-nya.",
            "Only the head of the unit can carry the unit's targets in their SKP.",
        )
    target = context.unit_targets.get(target_id)
    if target is None:
        raise _error(
            "unknown_unit_target",
            field_name,
            f"Target unit '{target_id}' tidak ada untuk unit dan periode ini.",
            f"Unit target '{target_id}' does not exist for this unit and period.",
        )
    # The unit's figures are authoritative: the head's IKI measures exactly the unit target.
    iki.update(indicator=target["indicator"], target=target["target"], unit=target["unit"])
    iki.update(direction=target["direction"])
