"""The access matrix, in full: every operation of every service's OpenAPI document × every role set ×
every relation of the caller to the record (own, subordinate's, subordinate's subordinate's, an
unrelated colleague's, another instansi's), each answer checked against the policy declared in
`access_matrix/<service>.py`.

Rules that hold for every service (see the grids): another instansi's record does not exist for you —
404, or whatever an id that exists nowhere gets (same status, same error code), never a success; a 403
says only that your role or your relation to the record does not allow this; 401 without a valid
token. Refused requests (and reads) change nothing in the service's database; a request that changed
something is undone (the seeded database is put back) before the next one.

The records are real (`access_matrix/cast.py`): planning seeded through its API, the other services
through their consumer handlers fed planning's and evaluation's own outbox events, then their APIs.
An operation in a document without a declared case fails the test, so a new route needs a policy.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from sqlalchemy import select

from shared.auth import TokenService
from tests.reliability.access_matrix import evaluation, notifications, planning, rewards
from tests.reliability.access_matrix.cast import OTHER, PEOPLE, SERVICES, TENANT, Service, World, callers, world
from tests.reliability.access_matrix.grid import ROLE_SETS, SUBJECT_RELATIONS, Case
from tests.unit.service_harness import bearer

MATRICES: dict[str, list[Case]] = {
    "planning": planning.CASES,
    "evaluation": evaluation.CASES,
    "rewards": rewards.CASES,
    "notifications": notifications.CASES,
}
PUBLIC = {"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"}
METHODS = ("get", "post", "put", "patch", "delete")
FILLERS = {"year": "2026", "period_year": "2026", "period": "annual", "q": "1", "quarter": "1"}
GHOST_ID, GHOST_NIP = "does-not-exist-anywhere", "199912312020121999"
ADMIN_NIP = PEOPLE["admin"]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Iterator[World]:
    with world(tmp_path_factory.mktemp("access-matrix")) as built:
        yield built


def operations(svc: Service) -> set[str]:
    spec = svc.client.get("/openapi.json").json
    return {
        f"{method.upper()} {path}"
        for path, ops in spec["paths"].items()
        if path not in PUBLIC
        for method in ops
        if method in METHODS
    }


@pytest.mark.parametrize("name", SERVICES)
def test_every_operation_has_a_declared_policy(seeded: World, name: str) -> None:
    documented = operations(seeded.services[name])
    declared = {case.route for case in MATRICES[name]}
    assert documented - declared == set(), f"{name}: operations without a declared access policy"
    assert declared - documented == set(), f"{name}: policies declared for operations that do not exist"
    for case in MATRICES[name]:
        kind = case.subject if case.subject in SUBJECT_RELATIONS else "person"
        present = tuple(r for r in SUBJECT_RELATIONS["person"] if r in callers(case.subject))
        wanted = SUBJECT_RELATIONS[kind] if kind != "person" else present
        assert case.grid.columns == wanted, (case.route, case.url, case.grid.columns, wanted)


@pytest.mark.parametrize("name", SERVICES)
def test_every_route_but_health_metrics_and_docs_wants_a_valid_token(seeded: World, name: str) -> None:
    svc = seeded.services[name]
    spec = svc.client.get("/openapi.json").json
    before = svc.digest()
    forged = TokenService("f" * 40, "kinerja", "kinerja-api").mint(ADMIN_NIP, ["admin_instansi"], TENANT)
    expired = TokenService.from_settings(svc.runtime.settings).mint(ADMIN_NIP, ["admin_instansi"], TENANT, ttl_s=-60)
    checked = 0
    for path, ops in spec["paths"].items():
        url = re.sub(r"\{([^}]+)\}", lambda m: FILLERS.get(m.group(1), "x"), path)
        for method in ops:
            if method not in METHODS:
                continue
            for headers in ({}, {"Authorization": f"Bearer {forged}"}, {"Authorization": f"Bearer {expired}"}):
                response = svc.client.open(url, method=method.upper(), json={}, headers=headers)
                assert response.status_code == 401, (method, path, headers.keys(), response.status_code)
                assert response.json["error"]["status"] == 401
                checked += 1
    for path in PUBLIC - {"/docs"}:
        assert svc.client.get(path).status_code in (200, 503), path  # readyz: 503 only if the database is away
    assert svc.digest() == before
    print(f"ACCESS MATRIX [{name}] unauthenticated requests refused={checked}")


def ask(svc: Service, case: Case, values: Mapping[str, str], nip: str, tenant: str, roles: tuple[str, ...]) -> Any:
    url = (case.url or case.path).format_map(values)
    kwargs: dict[str, Any] = {"headers": bearer(svc.runtime, nip, roles, tenant)}
    if case.files is not None:
        kwargs.update(data=case.files(), content_type="multipart/form-data")
    elif case.body is not None:
        kwargs["json"] = case.body(values) if callable(case.body) else case.body
    return svc.client.open(url, method=case.method, **kwargs)


def answer(case: Case, response: Any, values: Mapping[str, str]) -> str:
    if not 200 <= response.status_code < 300:
        return str(response.status_code)
    if case.shows is None:
        return "ok"
    return "ok" if case.shows.format_map(values) in response.get_data(as_text=True) else "none"


def error_code(response: Any) -> str | None:
    body = response.get_json(silent=True)
    return body.get("error", {}).get("code") if isinstance(body, dict) else None


def ghosts(facts: Mapping[str, str]) -> dict[str, str]:
    """The facts with every record id replaced by one that exists nowhere (a valid, unknown NIP for NIPs)."""
    return {key: GHOST_NIP if key in PEOPLE else GHOST_ID for key in facts}


def record_ids(svc: Service, facts: Mapping[str, str]) -> set[str]:
    """Ids of 1671's records that must never appear in what another instansi reads (NIPs excluded:
    the caller of another instansi carries one of them)."""
    table = svc.runtime.tables.event_store
    with svc.runtime.engine.connect() as conn:
        aggregates = set(conn.execute(select(table.c.aggregate_id)).scalars())
    nips = set(PEOPLE.values())
    return {i for i in aggregates | {v for k, v in facts.items() if k not in PEOPLE} if len(i) > 8 and i not in nips}


@pytest.mark.parametrize("name", SERVICES)
def test_the_access_matrix(seeded: World, name: str) -> None:
    svc, facts = seeded.services[name], seeded.facts
    svc.restore()
    seeded_digest = svc.digest()
    secrets = record_ids(svc, facts)
    wrong: list[str] = []
    counts: Counter[str] = Counter()
    for case in MATRICES[name]:
        for relation, (nip, tenant) in callers(case.subject).items():
            for role_set, roles in ROLE_SETS.items():
                expected = case.grid.expected(role_set, relation)
                counts["cells"] += 1
                counts[expected if expected in ("ok", "none", "403", "404") else "state"] += 1
                where = f"{case.route} [{case.url or case.path}] {role_set} {relation} ({nip}@{tenant})"
                values = {**facts, "caller": nip}
                response = ask(svc, case, values, nip, tenant, roles)
                got = answer(case, response, values)
                if got != expected:
                    wrong.append(f"{where}: expected {expected}, got {got} {error_code(response) or ''}")
                if case.method != "GET" and response.status_code < 300:
                    svc.restore()  # an allowed change: back to the seeded records for the next cell
                elif svc.digest() != seeded_digest:
                    wrong.append(f"{where}: answered {response.status_code} yet changed the database")
                    svc.restore()
                if tenant == OTHER:
                    wrong += _as_if_it_did_not_exist(svc, case, response, values, nip, roles, where, secrets)
    assert not wrong, f"{len(wrong)} cells differ from the declared policy:\n" + "\n".join(wrong)
    assert svc.digest() == seeded_digest
    print(
        f"ACCESS MATRIX [{name}] operations={len(operations(svc))} cases={len(MATRICES[name])} "
        f"cells={counts['cells']} allowed={counts['ok'] + counts['none']} (shown={counts['ok']} "
        f"hidden={counts['none']}) refused={counts['403'] + counts['404']} (403={counts['403']} "
        f"404={counts['404']}) state={counts['state']}"
    )


def _as_if_it_did_not_exist(
    svc: Service,
    case: Case,
    response: Any,
    values: Mapping[str, str],
    nip: str,
    roles: tuple[str, ...],
    where: str,
    secrets: set[str],
) -> list[str]:
    """Another instansi's caller: a refusal is the one an id that exists nowhere gets; an answer shows
    none of 1671's records."""
    if response.status_code >= 400:
        ghost_values = {**ghosts(values), "caller": nip}
        ghost = ask(svc, case, ghost_values, nip, OTHER, roles)
        if case.method != "GET" and ghost.status_code < 300:
            svc.restore()
        if (ghost.status_code, error_code(ghost)) != (response.status_code, error_code(response)):
            return [f"{where}: {response.status_code} {error_code(response)} but an unknown id gets "
                    f"{ghost.status_code} {error_code(ghost)}"]  # fmt: skip
        return []
    body = response.get_data(as_text=True)
    leaked = sorted(i for i in secrets if i in body)
    return [f"{where}: shows 1671's {leaked}"] if leaked else []
