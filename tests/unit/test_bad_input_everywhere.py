"""Every write endpoint of every service, fed junk: always a 4xx in the error format, never a 5xx,
and nothing stored. The routes come from each service's own OpenAPI document, so a new endpoint
is covered without touching this test."""

from __future__ import annotations

import importlib
import re

import pytest
from sqlalchemy import func, select

from tests.unit.service_harness import bearer, sqlite_runtime

SERVICES = ("planning", "evaluation", "rewards", "notifications")
JUNK_BODIES = [
    None,
    [],
    "text",
    42,
    {},
    {"nip": 1, "period_year": "x"},
    {"a": {"b": [None]}},
    {"nip": "1" * 18, "period_year": 99999},
    {"period_year": 2026, "rhk": "all of them"},
]
RAW_BODIES = [b"{", b"\xff\xfe\x00", b'{"nip": NaN}', b'{"value": 1e999}']


@pytest.fixture(params=SERVICES)
def service(request, tmp_path):
    bootstrap = importlib.import_module(f"services.{request.param}.bootstrap")
    with sqlite_runtime(request.param, tmp_path) as runtime:
        auth = bearer(runtime, "198503302010011002", ["pegawai", "atasan", "admin_instansi"], "1671")
        yield runtime, bootstrap.create_app(runtime).test_client(), auth


JUNK_QUERIES = [
    "nip=abc",
    "period_year=dua",
    "limit=-1",
    "offset=x",
    "limit=100000",
    "nip=%00",
    "unread=maybe",
    "period_year=1e9",
    "kind=bonus",
    "status=lost",
]


def routes(client, methods: tuple[str, ...]) -> list[tuple[str, str]]:
    spec = client.get("/openapi.json").json
    found = []
    for path, operations in spec["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "unknown-id", path)
        found += [(method.upper(), concrete) for method in operations if method in methods]
    return found


def stored(runtime) -> tuple[int, int]:
    tables = runtime.tables
    with runtime.engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(tables.event_store)).scalar_one(),
            conn.execute(select(func.count()).select_from(tables.outbox)).scalar_one(),
        )


def assert_client_error(response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:300])
    error = response.json["error"]
    assert error["status"] == response.status_code
    assert error["code"]
    assert error["message"]


def test_junk_bodies_never_break_a_service_and_change_nothing(service) -> None:
    runtime, client, auth = service
    for method, path in routes(client, ("post", "put", "patch")):
        for body in JUNK_BODIES:
            assert_client_error(client.open(path, method=method, json=body, headers=auth))
        for raw in RAW_BODIES:
            assert_client_error(
                client.open(path, method=method, data=raw, headers={**auth, "Content-Type": "application/json"})
            )
    assert stored(runtime) == (0, 0)


def test_junk_query_strings_are_refused_or_ignored_never_a_5xx(service) -> None:
    _, client, auth = service
    readable = [path for _, path in routes(client, ("get",)) if path.startswith("/api/")]
    assert readable, "every service serves at least one read endpoint"
    for path in readable:
        for query in JUNK_QUERIES:
            response = client.get(f"{path}?{query}", headers=auth)
            assert response.status_code < 500, (path, query, response.get_data(as_text=True)[:300])
            if response.status_code >= 400:
                assert_client_error(response)


def test_unknown_routes_and_methods_answer_in_the_error_format(service) -> None:
    _, client, auth = service
    assert_client_error(client.get("/api/v1/nothing-here", headers=auth))
    assert_client_error(client.delete("/healthz", headers=auth))
