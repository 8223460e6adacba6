"""Planning's SKP commands: load the SKP, apply the command, save its events, the read models and
the integration events in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.planning.adapters import evidence_files, organisation_view, planning_views, skp_view
from services.planning.domain import organisation
from services.planning.domain.plan_content import CascadeContext
from services.planning.domain.reporting_period import ReportingPeriod, period_id_for
from services.planning.domain.skp import Evidence, Person, PlanContent, Skp, skp_id_for
from shared.auth import Principal
from shared.contracts.vocabulary import PositionKind, SkpTemplate
from shared.errors import DomainError, NotFound
from shared.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class EmployeeFacts:
    """What the SKP takes from the employee's record in the register: who they are, their unit,
    their atasan (None at the top of the tree), the template their position calls for."""

    person: Person
    unit: str
    unit_id: str | None
    atasan: Person | None
    template: SkpTemplate
    is_unit_head: bool


MAX_CHAIN = 12


def employee_facts(uow: UnitOfWork, tenant: str, nip: str) -> EmployeeFacts:
    """The employee's record from the organisation register; refuses when they are not registered
    or their atasan is not valid — the admin must fix the register first, and the message says so."""
    record = organisation_view.find_employee(uow.session, tenant, nip)
    if record is None or not record["active"]:
        raise DomainError(
            "employee_not_registered",
            f"Pegawai {nip} belum terdaftar aktif di data organisasi instansi; hubungi admin instansi.",
            f"Employee {nip} is not an active member of the instansi's organisation register; ask the admin.",
        )
    chain = _atasan_chain(uow, tenant, record)
    unit = organisation_view.find_unit(uow.session, tenant, record["unit_id"])
    problem = organisation.atasan_problem(record, chain, {record["unit_id"]: unit} if unit else {})
    if problem is not None:
        raise DomainError(
            "atasan_invalid",
            f"{problem.message_id} Hubungi admin instansi untuk memperbaiki data atasan Anda.",
            f"{problem.message_en} Ask the instansi admin to fix your atasan in the register.",
        )
    atasan = chain.get(record["atasan_nip"] or "")
    return EmployeeFacts(
        person=Person(record["nip"], record["name"]),
        unit=record["unit_name"],
        unit_id=record["unit_id"],
        atasan=Person(atasan["nip"], atasan["name"]) if atasan else None,
        template=SkpTemplate.JPT if record["position_kind"] == PositionKind.JPT else SkpTemplate.JA_JF,
        is_unit_head=bool(record["is_unit_head"]),
    )


def _atasan_chain(uow: UnitOfWork, tenant: str, record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The employee and the atasan above them, up the tree (enough to see a cycle)."""
    chain = {record["nip"]: record}
    current = record
    for _ in range(MAX_CHAIN):
        above = current.get("atasan_nip")
        if not above or above in chain:
            break
        found = organisation_view.find_employee(uow.session, tenant, above)
        if found is None:
            break
        chain[above] = current = found
    return chain


def cascade_context(
    uow: UnitOfWork, *, tenant: str, atasan_nip: str | None, unit_id: str | None, period_year: int, is_unit_head: bool
) -> CascadeContext:
    """The atasan's RHK for the period (None if the atasan has no SKP) and the unit's targets."""
    atasan_rhk = None
    if atasan_nip:
        atasan_skp = skp_view.find(uow.session, skp_id_for(atasan_nip, period_year))
        if atasan_skp is not None and atasan_skp["tenant"] == tenant:
            atasan_rhk = {item["rhk_id"]: item["description"] for item in atasan_skp["rhk"]}
    targets = planning_views.unit_targets(uow.session, tenant, unit_id, period_year) if unit_id else []
    return CascadeContext(
        atasan_rhk=atasan_rhk, unit_targets={t["target_id"]: t for t in targets}, is_unit_head=is_unit_head
    )


def _context_for(uow: UnitOfWork, skp: Skp, is_unit_head: bool = False) -> CascadeContext:
    return cascade_context(
        uow,
        tenant=skp.tenant,
        atasan_nip=skp.atasan.nip,
        unit_id=skp.unit_id,
        period_year=skp.period_year,
        is_unit_head=is_unit_head,
    )


def _content(data: dict[str, Any]) -> PlanContent:
    return PlanContent(
        rhk=data["rhk"], annex=data.get("annex"), results_follow_unit=data.get("results_follow_unit", False)
    )


def _load(uow: UnitOfWork, skp_id: str, principal: Principal) -> Skp:
    skp = uow.events.get(Skp, skp_id)
    if skp is None or skp.tenant != principal.tenant:  # another instansi's plan does not exist for you
        raise NotFound("SKP", "SKP", skp_id)
    return skp


def _save(uow: UnitOfWork, skp: Skp, principal: Principal) -> None:
    uow.events.save(skp, tenant=skp.tenant, actor=principal.nip)
    skp_view.upsert(uow.session, skp)


def _publish(uow: UnitOfWork, skp: Skp, event_type: str, payload: dict[str, Any]) -> None:
    uow.publish(event_type, payload, tenant=skp.tenant, aggregate_id=skp.id, aggregate_version=skp.version)


def _command(uow: UnitOfWork, principal: Principal, skp_id: str, apply: Callable[[Skp], None]) -> dict[str, Any]:
    """Load, apply (which may publish), save and commit; answer with the SKP as it now stands."""
    with uow:
        skp = _load(uow, skp_id, principal)
        apply(skp)
        _save(uow, skp, principal)
        uow.commit()
    return view(uow, skp_id)


def follow_atasan_changes(uow: UnitOfWork, tenant: str, actor: str | None, changes: list[dict[str, Any]]) -> int:
    """The register changed some employees' atasan: their plans of periods still running follow, in
    the same transaction, so the new atasan reads and decides them at once. A period whose fourth
    quarter the admin has closed is over and keeps the atasan who appraised it. Returns how many
    SKPs were reassigned."""
    reassigned = 0
    for change in changes:
        if not change.get("atasan_nip") or not change.get("atasan_name"):
            continue  # no valid atasan now: the plan keeps its own until the admin fixes the register
        for row in skp_view.search(uow.session, tenant, nip=change["nip"], limit=50):
            period = uow.events.get(ReportingPeriod, period_id_for(tenant, row["period_year"]))
            if period is not None and not period.is_open(4):
                continue
            skp = uow.events.get(Skp, row["skp_id"])
            if skp is not None and skp.reassign_atasan(Person(change["atasan_nip"], change["atasan_name"])):
                uow.events.save(skp, tenant=tenant, actor=actor)
                skp_view.upsert(uow.session, skp)
                reassigned += 1
    return reassigned


def view(uow: UnitOfWork, skp_id: str) -> dict[str, Any]:
    with uow:
        found = skp_view.find(uow.session, skp_id)
    if found is None:
        raise NotFound("SKP", "SKP", skp_id)
    return found


# --- the plan ---------------------------------------------------------------------------------


def draft_skp(uow: UnitOfWork, principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
    with uow:
        facts = employee_facts(uow, principal.tenant, principal.nip)
        skp_id = skp_id_for(facts.person.nip, data["period_year"])
        if uow.events.load(skp_id):
            raise DomainError(
                "skp_exists",
                f"SKP untuk periode {data['period_year']} sudah ada ({skp_id}).",
                f"An SKP for period {data['period_year']} already exists ({skp_id}).",
                field="period_year",
            )
        context = cascade_context(
            uow,
            tenant=principal.tenant,
            atasan_nip=facts.atasan.nip if facts.atasan else None,
            unit_id=facts.unit_id,
            period_year=data["period_year"],
            is_unit_head=facts.is_unit_head,
        )
        skp = Skp.draft(
            tenant=principal.tenant,
            owner=facts.person,
            atasan=facts.atasan,
            unit=facts.unit,
            unit_id=facts.unit_id,
            period_year=data["period_year"],
            template=facts.template,
            content=_content(data),
            context=context,
        )
        _save(uow, skp, principal)
        uow.commit()
    return view(uow, skp.id)


def revise_skp(uow: UnitOfWork, principal: Principal, skp_id: str, data: dict[str, Any]) -> dict[str, Any]:
    def apply(skp: Skp) -> None:
        skp.revise(principal.nip, _content(data), _context_for(uow, skp, _is_unit_head(uow, skp)))

    return _command(uow, principal, skp_id, apply)


def submit_skp(uow: UnitOfWork, principal: Principal, skp_id: str) -> dict[str, Any]:
    def apply(skp: Skp) -> None:
        skp.submit(principal.nip, _context_for(uow, skp))
        _publish(uow, skp, "plan.submitted", skp.plan_payload())

    return _command(uow, principal, skp_id, apply)


def approve_skp(uow: UnitOfWork, principal: Principal, skp_id: str) -> dict[str, Any]:
    def apply(skp: Skp) -> None:
        skp.approve(principal.nip)
        _publish(uow, skp, "plan.approved", {**skp.plan_payload(), "approved_by": principal.nip})

    return _command(uow, principal, skp_id, apply)


def return_skp(uow: UnitOfWork, principal: Principal, skp_id: str, reason: str) -> dict[str, Any]:
    def apply(skp: Skp) -> None:
        skp.return_to_employee(principal.nip, reason)
        payload = {
            "skp_id": skp.id,
            "nip": skp.owner.nip,
            "employee_name": skp.owner.name,
            "period_year": skp.period_year,
            "returned_by": principal.nip,
            "returned_by_name": skp.atasan.name,
            "reason": reason,
        }
        _publish(uow, skp, "plan.returned", payload)

    return _command(uow, principal, skp_id, apply)


def set_expectations(
    uow: UnitOfWork, principal: Principal, skp_id: str, expectations: dict[str, str]
) -> dict[str, Any]:
    return _command(uow, principal, skp_id, lambda skp: skp.set_expectations(principal.nip, expectations))


# --- amendments -------------------------------------------------------------------------------


def propose_amendment(uow: UnitOfWork, principal: Principal, skp_id: str, data: dict[str, Any]) -> dict[str, Any]:
    def apply(skp: Skp) -> None:
        context = _context_for(uow, skp, _is_unit_head(uow, skp))
        skp.propose_amendment(principal.nip, data["reason"], _content(data), context)

    return _command(uow, principal, skp_id, apply)


def approve_amendment(uow: UnitOfWork, principal: Principal, skp_id: str) -> dict[str, Any]:
    def apply(skp: Skp) -> None:
        reason = (skp.pending_amendment or {}).get("reason", "")
        skp.approve_amendment(principal.nip)
        payload = {**skp.plan_payload(), "amendment_no": skp.amendment_no, "reason": reason}
        _publish(uow, skp, "plan.amended", {**payload, "approved_by": principal.nip})

    return _command(uow, principal, skp_id, apply)


def reject_amendment(uow: UnitOfWork, principal: Principal, skp_id: str, reason: str) -> dict[str, Any]:
    return _command(uow, principal, skp_id, lambda skp: skp.reject_amendment(principal.nip, reason))


# --- realisasi --------------------------------------------------------------------------------


def report_progress(uow: UnitOfWork, principal: Principal, skp_id: str, data: dict[str, Any]) -> dict[str, Any]:
    def apply(skp: Skp) -> None:
        period = uow.events.get(ReportingPeriod, period_id_for(skp.tenant, skp.period_year))
        files = tuple(_evidence(uow, skp, file_id) for file_id in data.get("evidence_file_ids", []))
        report = skp.report_progress(
            principal.nip,
            quarter=data["quarter"],
            iki_id=data["iki_id"],
            value=data["value"],
            note=data.get("note"),
            evidence=Evidence(url=data.get("evidence_url"), files=files),
            quarter_open=period is None or period.is_open(data["quarter"]),
        )
        payload = {"skp_id": skp.id, "nip": skp.owner.nip, "period_year": skp.period_year, **report}
        payload.pop("feedback", None)
        _publish(uow, skp, "progress.reported", payload)

    return _command(uow, principal, skp_id, apply)


def _evidence(uow: UnitOfWork, skp: Skp, file_id: str) -> dict[str, Any]:
    found = evidence_files.find(uow.session, skp.id, file_id)
    if found is None:
        raise DomainError(
            "unknown_evidence",
            f"Berkas bukti dukung '{file_id}' tidak ditemukan pada SKP ini.",
            f"Evidence file '{file_id}' was not uploaded to this SKP.",
            field="evidence_file_ids",
        )
    return evidence_files.describe(found)


def give_feedback(uow: UnitOfWork, principal: Principal, skp_id: str, data: dict[str, Any]) -> dict[str, Any]:
    def apply(skp: Skp) -> None:
        skp.give_feedback(
            principal.nip, skp.atasan.name, quarter=data["quarter"], iki_id=data["iki_id"], feedback=data["feedback"]
        )
        iki = skp.find_iki(data["iki_id"]) or {}
        payload = {
            "skp_id": skp.id,
            "nip": skp.owner.nip,
            "employee_name": skp.owner.name,
            "period_year": skp.period_year,
            "quarter": data["quarter"],
            "iki_id": data["iki_id"],
            "indicator": iki.get("indicator"),
            "given_by": principal.nip,
            "given_by_name": skp.atasan.name,
            "feedback": data["feedback"],
        }
        _publish(uow, skp, "realisasi.feedback_given", payload)

    return _command(uow, principal, skp_id, apply)


def _is_unit_head(uow: UnitOfWork, skp: Skp) -> bool:
    record = organisation_view.find_employee(uow.session, skp.tenant, skp.owner.nip)
    return bool(record and record["is_unit_head"] and record["unit_id"] == skp.unit_id)
