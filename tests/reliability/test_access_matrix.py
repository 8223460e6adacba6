"""Access matrix over every route of every service, generated from their OpenAPI documents.

Rule (one for all services): another instansi's record does not exist for you — **404**, exactly as
for an id that exists nowhere, so a refusal never confirms that another instansi's id is real. 403
is only for a role that may never use the endpoint (decided before any lookup, so it reveals
nothing either). 401 without a valid token. Refused requests change nothing.

Seeding: each service's consumer handlers are fed the contract samples of the event types it
consumes, in instansi 1671; every aggregate in its event store is then a real resource of 1671. For
every route with an id in its path, each such id that the own instansi's admin can read is tried by
callers of another instansi holding each role: the answer must equal the answer for an unknown id
and never be a success. Lists read from another instansi never contain 1671's ids.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from shared.auth import TokenService
from shared.contracts import CATALOG
from shared.events import Envelope
from tests.unit.service_harness import bearer, sqlite_runtime

SERVICES = ("planning", "evaluation", "rewards", "notifications")
TENANT, OTHER = "1671", "3674"
SAMPLES = Path(__file__).resolve().parents[1] / "contract" / "samples"
ADMIN_NIP = "198001012005011004"
CALLER_NIP = "198503302010011002"  # the NIP the samples are about, so "own" records exist for them in 1671
ROLE_SETS = (("pegawai",), ("pegawai", "atasan"), ("admin_instansi",), ("agency",))
PUBLIC = {"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"}
FILLERS = {"year": "2026", "period_year": "2026", "period": "annual", "q": "1", "quarter": "1"}
FIGURES: dict[str, dict[str, int]] = {}


def seed(runtime, handlers) -> set[str]:
    """Feed the samples of the consumed event types; return the ids they carry (candidate path values)."""
    carried: set[str] = set()
    for sample in sorted(SAMPLES.glob("*.v1.json")):
        event_type = sample.name.removesuffix(".v1.json")
        if event_type not in handlers:
            continue
        payload = json.loads(sample.read_text(encoding="utf-8"))
        try:
            envelope = CATALOG.read(
                Envelope.new(
                    event_type=event_type,
                    schema_version=1,
                    producer="test",
                    tenant=TENANT,
                    aggregate_id=str(payload.get("nip") or "agg"),
                    aggregate_version=1,
                    payload=payload,
                    correlation_id="seed",
                )
            )
            with runtime.uow() as uow:
                handlers[event_type](uow, envelope)
                uow.commit()
        except Exception:  # noqa: BLE001, S112 - a sample out of its story (e.g. a decision without a filing) is skipped
            continue
        carried |= {str(v) for k, v in payload.items() if (k.endswith("_id") or k == "nip") and isinstance(v, str)}
    return carried


def seed_planning(runtime) -> set[str]:
    """Planning consumes nothing: its organisation and a plan are made through its own API, in 1671."""
    from tests.unit.planning.fixtures import BUDI, draft, registered_organisation, rhk

    api = registered_organisation(runtime)
    response = draft(api, BUDI, [rhk("Meningkatnya layanan kesehatan dasar", perspective="penerima_layanan")])
    assert response.status_code == 201, response.json
    return {response.json["skp_id"], "PKM", BUDI}


def stored(runtime) -> tuple[int, int]:
    with runtime.engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(runtime.tables.event_store)).scalar_one(),
            conn.execute(select(func.count()).select_from(runtime.tables.outbox)).scalar_one(),
        )


def aggregate_ids(runtime) -> list[str]:
    with runtime.engine.connect() as conn:
        return sorted(set(conn.execute(select(runtime.tables.event_store.c.aggregate_id)).scalars()))


def concrete(path: str, value: str) -> str | None:
    """The path with its one id parameter set to `value` and the others to fixed fillers."""
    ids = [p for p in re.findall(r"\{([^}]+)\}", path) if p not in FILLERS]
    if len(ids) != 1:
        return None
    out = path.replace("{" + ids[0] + "}", value)
    for name, filler in FILLERS.items():
        out = out.replace("{" + name + "}", filler)
    return out


@pytest.fixture(params=SERVICES)
def service(request, tmp_path):
    bootstrap = importlib.import_module(f"services.{request.param}.bootstrap")
    with sqlite_runtime(request.param, tmp_path) as runtime:
        if request.param == "planning":
            carried = seed_planning(runtime)
        else:
            carried = seed(runtime, bootstrap.event_handlers(runtime))
        yield request.param, runtime, bootstrap.create_app(runtime).test_client(), carried


def test_every_route_but_health_metrics_and_docs_wants_a_valid_token(service) -> None:
    name, runtime, client, _ = service
    spec = client.get("/openapi.json").json
    before = stored(runtime)
    forged = TokenService("f" * 40, "kinerja", "kinerja-api").mint(ADMIN_NIP, ["admin_instansi"], TENANT)
    expired = TokenService.from_settings(runtime.settings).mint(ADMIN_NIP, ["admin_instansi"], TENANT, ttl_s=-60)
    checked = 0
    for path, operations in spec["paths"].items():
        url = re.sub(r"\{([^}]+)\}", lambda m: FILLERS.get(m.group(1), "x"), path)
        for method in operations:
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            for headers in ({}, {"Authorization": f"Bearer {forged}"}, {"Authorization": f"Bearer {expired}"}):
                response = client.open(url, method=method.upper(), json={}, headers=headers)
                assert response.status_code == 401, (method, path, headers.keys(), response.status_code)
                assert response.json["error"]["status"] == 401
                checked += 1
    for path in PUBLIC - {"/docs"}:
        assert client.get(path).status_code in (200, 503), path  # readyz: 503 only if the database is away
    assert stored(runtime) == before
    FIGURES.setdefault(name, {})["unauthenticated_requests_refused"] = checked
    print(f"ACCESS MATRIX [{name}] unauthenticated requests refused={checked}")


def test_another_instansis_records_answer_as_if_they_did_not_exist(service) -> None:
    name, runtime, client, carried = service
    spec = client.get("/openapi.json").json
    admin = bearer(runtime, ADMIN_NIP, ["admin_instansi"], TENANT)
    ids = sorted(set(aggregate_ids(runtime)) | carried)
    assert ids, f"{name}: seeding produced records to protect"
    # Which (route, id) pairs are real resources of 1671: its admin (or the subject) reads them.
    readable: list[tuple[str, str]] = []
    for path, operations in spec["paths"].items():
        if "get" not in operations:
            continue
        for value in ids:
            url = concrete(path, value)
            if url is None:
                continue
            own = bearer(runtime, CALLER_NIP, ["pegawai", "atasan"], TENANT)
            if any(client.get(url, headers=h).status_code == 200 for h in (admin, own)):
                readable.append((path, value))
    before = stored(runtime)
    cells = 0
    for path, value in readable:
        for roles in ROLE_SETS:
            for nip in (CALLER_NIP, ADMIN_NIP):  # the same NIP as the record's owner, in another instansi, too
                stranger = bearer(runtime, nip, list(roles), OTHER)
                for method in [m for m in spec["paths"][path] if m in ("get", "post", "put", "patch", "delete")]:
                    real = client.open(concrete(path, value), method=method.upper(), json={}, headers=stranger)
                    ghost = client.open(
                        concrete(path, "does-not-exist-anywhere"), method=method.upper(), json={}, headers=stranger
                    )
                    cell = (path, method, roles, real.status_code, ghost.status_code)
                    assert real.status_code >= 400, cell
                    assert (real.status_code, real.json["error"]["code"]) == (
                        ghost.status_code,
                        ghost.json["error"]["code"],
                    ), cell
                    cells += 1
    # Lists from another instansi never show 1671's records.
    for path, operations in spec["paths"].items():
        if "get" not in operations or "{" in path or not path.startswith("/api/"):
            continue
        for roles in ROLE_SETS:
            response = client.get(path, headers=bearer(runtime, CALLER_NIP, list(roles), OTHER))
            assert response.status_code < 500, path
            body = response.get_data().decode("utf-8", errors="replace")
            leaked = [i for i in ids if len(i) > 8 and i in body]
            assert not leaked, (path, roles, leaked)
            cells += 1
    assert stored(runtime) == before  # refused requests changed nothing
    FIGURES.setdefault(name, {}).update(real_records_probed=len(readable), matrix_cells=cells)
    print(f"ACCESS MATRIX [{name}] records={len(readable)} cells={cells}")
