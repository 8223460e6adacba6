"""Unit-level commands and queries: organisation predikat and the distribution curve, public input
(IKM surveys, complaints) and the rater-bias report."""

from __future__ import annotations

import uuid
from collections import defaultdict
from statistics import fmean
from typing import Any

from services.evaluation.adapters import assessment_view, evaluation_view, organisation, public_input_store
from services.evaluation.domain.bias import GRADE_LEVEL, LEVEL, Rated, rater_bias
from services.evaluation.domain.curve import Curve, load_curve, validate_distribution
from services.evaluation.domain.organisation_predikat import OrganisationPredikat, organisation_predikat_id
from services.evaluation.domain.public_input import IkmTally, ikm_grade, responded_in_time, summarise_complaints
from services.evaluation.service_layer import clock
from shared.auth import Principal, Role
from shared.contracts.vocabulary import AssessmentSource
from shared.errors import DomainError, Forbidden, NotFound
from shared.storage.unit_of_work import UnitOfWork


def _unit(uow: UnitOfWork, principal: Principal, unit_id: str) -> dict[str, Any]:
    unit = organisation.find_unit(uow.session, principal.tenant, unit_id)
    if unit is None:
        raise NotFound("Unit kerja", "Unit", unit_id)
    return unit


def _is_head_above(uow: UnitOfWork, principal: Principal, unit: dict[str, Any]) -> bool:
    parent = unit["parent_unit_id"]
    return bool(parent) and principal.nip in organisation.heads_of(uow.session, principal.tenant, parent)


def _is_head_of_or_above(uow: UnitOfWork, principal: Principal, unit: dict[str, Any]) -> bool:
    heads = organisation.heads_of(uow.session, principal.tenant, unit["unit_id"])
    return principal.nip in heads or _is_head_above(uow, principal, unit)


# --- organisation predikat and the curve --------------------------------------------------------


def set_organisation_predikat(
    uow: UnitOfWork, principal: Principal, unit_id: str, data: dict[str, Any]
) -> dict[str, Any]:
    """Set by the leader above: the head of the parent unit (or the instansi admin on their behalf)."""
    with uow:
        unit = _unit(uow, principal, unit_id)
        if not principal.has(Role.ADMIN) and not _is_head_above(uow, principal, unit):
            raise Forbidden(
                "Predikat organisasi ditetapkan oleh pimpinan unit di atasnya atau admin instansi.",
                "The organisation predikat is set by the head of the unit above or the instansi admin.",
            )
        year, period = data["period_year"], data["period"]
        aggregate_id = organisation_predikat_id(principal.tenant, unit_id, year, period)
        aggregate = uow.events.get(OrganisationPredikat, aggregate_id) or OrganisationPredikat(aggregate_id)
        now = clock.now()
        aggregate.set(
            unit_id=unit_id,
            period_year=year,
            period=period,
            predikat=data["predikat"],
            note=data.get("note"),
            set_by=principal.nip,
            set_at=now.isoformat(),
        )
        uow.events.save(aggregate, tenant=principal.tenant, actor=principal.nip)
        row = {
            "tenant": principal.tenant,
            "unit_id": unit_id,
            "period_year": year,
            "period": period,
            "predikat": data["predikat"],
            "note": data.get("note"),
            "set_by": principal.nip,
            "set_at": now,
            "version": aggregate.version,
        }
        public_input_store.set_org_predikat(uow.session, row)
        uow.publish(
            "organisation_predikat.set",
            {
                "unit_id": unit_id,
                "unit_name": unit["name"],
                "period_year": year,
                "period": period,
                "predikat": data["predikat"],
                "previous_predikat": aggregate.previous,
                "note": data.get("note"),
                "set_by": principal.nip,
            },
            tenant=principal.tenant,
            aggregate_id=aggregate_id,
            aggregate_version=aggregate.version,
        )
        uow.commit()
    return {**row, "previous_predikat": aggregate.previous}


def distribution(
    uow: UnitOfWork, principal: Principal, unit_id: str, period_year: int, period: str, curve: Curve | None = None
) -> dict[str, Any]:
    """The unit's (and its sub-units') final employee predikat against the curve of its organisation predikat."""
    with uow:
        unit = _unit(uow, principal, unit_id)
        if not principal.has(Role.ADMIN) and not _is_head_of_or_above(uow, principal, unit):
            raise Forbidden(
                "Sebaran predikat unit dapat dilihat oleh pimpinan unit, pimpinan di atasnya, atau admin instansi.",
                "A unit's distribution is readable by its head, the head above or the instansi admin.",
            )
        org = public_input_store.find_org_predikat(uow.session, principal.tenant, unit_id, period_year, period)
        unit_ids = organisation.unit_and_descendants(uow.session, principal.tenant, unit_id)
        rows = evaluation_view.final_predikat_of(uow.session, principal.tenant, period_year, period, unit_ids)
    if org is None:
        raise DomainError(
            "organisation_predikat_missing",
            f"Predikat organisasi unit {unit_id} periode {period_year} {period} belum ditetapkan.",
            f"The organisation predikat of unit {unit_id} for {period_year} {period} has not been set.",
        )
    result = validate_distribution(curve or load_curve(), org["predikat"], [r["predikat"] for r in rows])
    return {"unit_id": unit_id, "period_year": period_year, "period": period, **result}


# --- public input -----------------------------------------------------------------------------


def _public_unit(uow: UnitOfWork, principal: Principal, unit_id: str) -> dict[str, Any]:
    unit = _unit(uow, principal, unit_id)
    if not unit["serves_public"]:
        raise DomainError(
            "unit_not_public",
            f"Unit {unit['name']} tidak tercatat melayani publik; IKM dan pengaduan tidak berlaku.",
            f"Unit {unit['name']} is not registered as serving the public; IKM and complaints do not apply.",
            field="unit_id",
        )
    if not principal.has(Role.ADMIN) and principal.nip not in organisation.heads_of(
        uow.session, principal.tenant, unit_id
    ):
        raise Forbidden(
            "Masukan publik dicatat oleh admin instansi atau pimpinan unit.",
            "Public input is recorded by the instansi admin or the unit's head.",
        )
    return unit


def record_ikm(uow: UnitOfWork, principal: Principal, unit_id: str, data: dict[str, Any]) -> dict[str, Any]:
    now = clock.now()
    batch = IkmTally.of(data["responses"])
    with uow:
        _public_unit(uow, principal, unit_id)
        year, period = data["period_year"], data["period"]
        survey_id = f"ikm-{unit_id}-{year}-{period}-{uuid.uuid4().hex[:8]}"
        public_input_store.add_ikm_batch(
            uow.session,
            {
                "survey_id": survey_id,
                "tenant": principal.tenant,
                "unit_id": unit_id,
                "period_year": year,
                "period": period,
                "respondents": batch.respondents,
                "sums": dict(batch.sums),
                "recorded_by": principal.nip,
                "recorded_at": now,
            },
        )
        total = public_input_store.ikm_tally(uow.session, principal.tenant, {unit_id}, year, period)
        ikm = total.ikm()
        assert ikm is not None  # this batch has at least one respondent
        uow.publish(
            "ikm.recorded",
            {
                "survey_id": survey_id,
                "unit_id": unit_id,
                "period_year": year,
                "period": period,
                "respondents": batch.respondents,
                "element_averages": batch.averages(),
                "ikm": ikm,
                "grade": ikm_grade(ikm),
                "total_respondents": total.respondents,
            },
            tenant=principal.tenant,
            aggregate_id=survey_id,
            aggregate_version=1,
        )
        uow.commit()
    return public_input(uow, principal, unit_id, year, period, check_access=False)


def record_complaint(uow: UnitOfWork, principal: Principal, unit_id: str, data: dict[str, Any]) -> dict[str, Any]:
    now = clock.now()
    with uow:
        _public_unit(uow, principal, unit_id)
        existing = public_input_store.find_complaint(uow.session, principal.tenant, data["complaint_id"])
        if existing and existing["unit_id"] != unit_id:
            raise DomainError(
                "complaint_other_unit",
                f"Pengaduan {data['complaint_id']} tercatat pada unit lain.",
                f"Complaint {data['complaint_id']} is recorded for another unit.",
                field="complaint_id",
            )
        row = {
            "tenant": principal.tenant,
            "complaint_id": data["complaint_id"],
            "unit_id": unit_id,
            "period_year": data["received_at"].year,
            "channel": data["channel"],
            "received_at": data["received_at"],
            "first_response_at": data.get("first_response_at"),
            "resolved_at": data.get("resolved_at"),
            "version": (existing["version"] if existing else 0) + 1,
        }
        public_input_store.upsert_complaint(uow.session, row)
        in_time = responded_in_time(row["received_at"], row["first_response_at"], now)
        uow.publish(
            "complaint.recorded",
            {
                "complaint_id": row["complaint_id"],
                "unit_id": unit_id,
                "period_year": row["period_year"],
                "channel": row["channel"],
                "received_at": row["received_at"].isoformat(),
                "first_response_at": row["first_response_at"].isoformat() if row["first_response_at"] else None,
                "resolved_at": row["resolved_at"].isoformat() if row["resolved_at"] else None,
                "responded_in_time": in_time,
            },
            tenant=principal.tenant,
            aggregate_id=f"complaint-{principal.tenant}-{row['complaint_id']}",
            aggregate_version=row["version"],
        )
        uow.commit()
    return {**row, "responded_in_time": in_time}


def public_input(
    uow: UnitOfWork, principal: Principal, unit_id: str, period_year: int, period: str, *, check_access: bool = True
) -> dict[str, Any]:
    with uow:
        unit = _unit(uow, principal, unit_id)
        if check_access and not principal.has(Role.ADMIN) and not _is_head_of_or_above(uow, principal, unit):
            raise Forbidden(
                "Masukan publik unit dapat dilihat oleh pimpinan unit, pimpinan di atasnya, atau admin instansi.",
                "A unit's public input is readable by its head, the head above or the instansi admin.",
            )
        tally = public_input_store.ikm_tally(uow.session, principal.tenant, {unit_id}, period_year, period)
        complaints = summarise_complaints(
            public_input_store.complaint_rows(uow.session, principal.tenant, {unit_id}, period_year, period),
            clock.now(),
        )
    ikm = tally.ikm()
    return {
        "unit_id": unit_id,
        "unit_name": unit["name"],
        "serves_public": unit["serves_public"],
        "period_year": period_year,
        "period": period,
        "ikm": ikm,
        "grade": ikm_grade(ikm) if ikm is not None else None,
        "respondents": tally.respondents,
        "element_averages": tally.averages(),
        "complaints": {
            "received": complaints.received,
            "responded_in_time": complaints.responded_in_time,
            "responded_late": complaints.responded_late,
            "awaiting_response": complaints.awaiting_response,
            "resolved": complaints.resolved,
            "in_time_share": complaints.in_time_share,
        },
    }


# --- rater bias -------------------------------------------------------------------------------


def rater_bias_report(uow: UnitOfWork, principal: Principal, period_year: int, period: str) -> dict[str, Any]:
    if not principal.has(Role.ADMIN):
        raise Forbidden(
            "Laporan bias penilai hanya untuk admin instansi (pengelola kinerja).",
            "The rater-bias report is for the instansi admin (HR) only.",
        )
    with uow:
        evaluations = evaluation_view.for_period(uow.session, principal.tenant, period_year, period)
        assessments = assessment_view.for_year(uow.session, principal.tenant, period_year)
        public_levels: dict[str, float | None] = {}
        for unit_id in {e["unit_id"] for e in evaluations if e["unit_id"]}:
            unit = organisation.find_unit(uow.session, principal.tenant, unit_id)
            ikm = None
            if unit and unit["serves_public"]:
                ikm = public_input_store.ikm_tally(uow.session, principal.tenant, {unit_id}, period_year, period).ikm()
            public_levels[unit_id] = GRADE_LEVEL[ikm_grade(ikm)] if ikm is not None else None
    by_id = {a["assessment_id"]: a for a in assessments}
    peers: dict[str, list[float]] = defaultdict(list)
    for a in assessments:
        if a["source"] in (AssessmentSource.PEER.value, AssessmentSource.SUBORDINATE.value) and a["behaviour"]:
            peers[a["nip"]].append(fmean(LEVEL[r] for r in a["behaviour"].values()))
    rated = [
        Rated(
            appraiser=e["atasan_nip"],
            nip=e["nip"],
            ratings=list((by_id.get(e["assessment_id"]) or {}).get("behaviour", {}).values()),
            predikat=e["predikat"],
            evidence_level=LEVEL[e["rating_hasil_kerja"]],
            peer_level=fmean(peers[e["nip"]]) if peers.get(e["nip"]) else None,
            public_level=public_levels.get(e["unit_id"]) if e["unit_id"] else None,
        )
        for e in evaluations
    ]
    return {"period_year": period_year, "period": period, **rater_bias(rated)}
