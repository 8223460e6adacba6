"""Loading the generated city through the services' own paths (not the measured year-end).

- the organisation: planning's bulk import API (`POST /api/v1/organisation/import`, a CSV);
- the SKPs: planning's domain aggregate runs every command a person would send (draft, submit,
  approve, four quarters of realisasi per IKI) with the plan rules and cascade checks, and the
  result is written the way the organisation import writes: the events with `EventStore.save_many`,
  the read model, and every integration event (`plan.submitted`, `plan.approved`,
  `progress.reported`) through `UnitOfWork.publish_many` to the outbox — one transaction per chunk.
  Sending 250,000 HTTP requests one by one would measure gunicorn on two cores, not the year-end;
- the assessments (mandiri, atasan, rekan kerja): evaluation's `Assessment` aggregate, bulk-written
  the same way (`assessment.recorded` to the outbox);
- IKM surveys and complaint records: evaluation's API, per public-facing unit.
Everything else reaches evaluation, rewards and notifications as events, through Kafka.
"""

from __future__ import annotations

import json
import random
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from bench import city as gen
from shared.config import Settings


def http(method: str, url: str, token: str, body: Any = None, *, raw: bytes | None = None, ctype: str = "") -> Any:
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - our own services
    request.add_header("Content-Type", ctype or "application/json")
    request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310
            text = response.read()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{method} {url}: {error.code} {error.read()[:2000]!r}") from error


def import_organisation(planning_url: str, token: str, city: gen.City) -> dict[str, Any]:
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="organisasi.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    body += gen.org_csv(city) + f"\r\n--{boundary}--\r\n".encode()
    return http(
        "POST",
        f"{planning_url}/api/v1/organisation/import",
        token,
        raw=body,
        ctype=f"multipart/form-data; boundary={boundary}",
    )


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_plans(database_url: str, city: gen.City, *, seed: int = 8, chunk: int = 250) -> dict[str, int]:
    """Every employee's SKP, approved by the atasan (the Sekda's stays a draft: the head of region
    approves it outside Kinerja), with realisasi for every IKI in all four quarters."""
    from services.planning.adapters import skp_view
    from services.planning.bootstrap import create_runtime
    from services.planning.domain.plan_content import CascadeContext
    from services.planning.domain.skp import Evidence, Person, PlanContent, Skp
    from shared.contracts.vocabulary import SkpTemplate

    runtime = create_runtime(replace(Settings.from_env("planning"), database_url=database_url))
    rng = random.Random(seed)
    by_nip = city.by_nip()
    plans: dict[str, Skp] = {}
    counts = {"plans": 0, "approved": 0, "realisasi": 0, "events": 0}
    for part in _chunks(city.people, chunk):
        outgoing: list[tuple[str, dict[str, Any], str, str, int]] = []

        def publish(skp: Skp, event_type: str, payload: dict[str, Any]) -> None:
            outgoing.append((event_type, payload, city.tenant, skp.id, skp.version))  # noqa: B023

        with runtime.uow() as uow:
            for person in part:
                atasan = by_nip.get(person.atasan_nip or "")
                atasan_skp = plans.get(atasan.nip) if atasan else None
                atasan_rhk = {r["rhk_id"]: r["description"] for r in atasan_skp.rhk} if atasan_skp else None
                content = gen.plan_content(person, rng, list(atasan_rhk) if atasan_rhk else None)
                context = CascadeContext(atasan_rhk=atasan_rhk, is_unit_head=person.is_unit_head)
                skp = Skp.draft(
                    tenant=city.tenant,
                    owner=Person(person.nip, person.name),
                    atasan=Person(atasan.nip, atasan.name) if atasan else None,
                    unit=city.units[person.unit_id].name,
                    unit_id=person.unit_id,
                    period_year=city.year,
                    template=SkpTemplate.JPT if person.position_kind == "JPT" else SkpTemplate.JA_JF,
                    content=PlanContent(rhk=content["rhk"], annex=None, results_follow_unit=False),
                    context=context,
                )
                plans[person.nip] = skp
                counts["plans"] += 1
                if atasan is not None:
                    skp.submit(person.nip, context)
                    publish(skp, "plan.submitted", skp.plan_payload())
                    skp.approve(atasan.nip)
                    publish(skp, "plan.approved", {**skp.plan_payload(), "approved_by": atasan.nip})
                    counts["approved"] += 1
                    for quarter in (1, 2, 3, 4):
                        for rhk in skp.rhk:
                            for iki in rhk["iki"]:
                                report = skp.report_progress(
                                    person.nip,
                                    quarter=quarter,
                                    iki_id=iki["iki_id"],
                                    value=gen.realisasi(iki, quarter, rng),
                                    note=None,
                                    evidence=Evidence(url=f"https://arsip.example.go.id/{skp.id}/q{quarter}.pdf"),
                                )
                                payload = {"skp_id": skp.id, "nip": person.nip, "period_year": city.year, **report}
                                payload.pop("feedback", None)
                                publish(skp, "progress.reported", payload)
                                counts["realisasi"] += 1
            uow.events.save_many([plans[p.nip] for p in part], tenant=city.tenant, actor=None)
            for person in part:
                skp_view.upsert(uow.session, plans[person.nip])
            uow.publish_many(outgoing)
            uow.commit()
        counts["events"] += len(outgoing)
    runtime.engine.dispose()
    return counts


def load_assessments(database_url: str, city: gen.City, *, seed: int = 9, chunk: int = 1000) -> dict[str, int]:
    """Mandiri and atasan assessments for everyone with an atasan, and up to two peers each."""
    from services.evaluation.adapters import assessment_view
    from services.evaluation.bootstrap import create_runtime
    from services.evaluation.domain.assessment import Assessment

    runtime = create_runtime(replace(Settings.from_env("evaluation"), database_url=database_url))
    rng = random.Random(seed)
    wanted: list[tuple[str, str, str]] = []  # (nip, source, assessor)
    for person in city.people:
        if person.atasan_nip:
            wanted += [(person.nip, "mandiri", person.nip), (person.nip, "atasan", person.atasan_nip)]
            wanted += [(person.nip, "rekan_kerja", peer) for peer in person.peers[:2]]
    for part in _chunks(wanted, chunk):
        with runtime.uow() as uow:
            made = [
                Assessment.record(
                    tenant=city.tenant,
                    nip=nip,
                    period_year=city.year,
                    source=source,
                    assessor_nip=assessor,
                    behaviour=gen.behaviour(rng),
                    feedback="Bekerja dengan baik; tingkatkan dokumentasi." if source == "atasan" else None,
                )
                for nip, source, assessor in part
            ]
            uow.events.save_many(made, tenant=city.tenant, actor=None)
            for assessment in made:
                assessment_view.upsert(uow.session, assessment)
            uow.publish_many([("assessment.recorded", a.payload(), city.tenant, a.id, a.version) for a in made])
            uow.commit()
    runtime.engine.dispose()
    return {"assessments": len(wanted)}


def load_public_input(evaluation_url: str, token: str, city: gen.City, *, seed: int = 10) -> dict[str, int]:
    """An IKM survey batch and a few complaint records per public-facing unit, through the API."""
    rng = random.Random(seed)
    counts = {"ikm_batches": 0, "complaints": 0}
    for unit in city.units.values():
        if not unit.serves_public or unit.head is None:
            continue
        base = f"{evaluation_url}/api/v1/units/{unit.unit_id}"
        http("POST", f"{base}/ikm", token, {"period_year": city.year, "responses": gen.ikm_responses(rng, 40)})
        counts["ikm_batches"] += 1
        for complaint in gen.complaints(rng, unit.unit_id, city.year, rng.randint(1, 4)):
            http("POST", f"{base}/complaints", token, complaint)
            counts["complaints"] += 1
    return counts
