"""Schema-driven fuzzing of every service's HTTP API (schemathesis, from each service's own OpenAPI
document, against the Flask app through WSGI): whatever schemathesis generates — valid and invalid
bodies, queries and path values — the answer is never a 5xx, every 4xx is in the error format, and a
refused request stores nothing. Bounded examples per operation so it runs in reasonable time."""

from __future__ import annotations

import importlib

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import func, select

from tests.unit.service_harness import bearer, sqlite_runtime

SERVICES = ("planning", "evaluation", "rewards", "notifications")
EXAMPLES = 8  # per operation; schemathesis mixes valid and invalid data


def stored(runtime) -> tuple[int, int]:
    with runtime.engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(runtime.tables.event_store)).scalar_one(),
            conn.execute(select(func.count()).select_from(runtime.tables.outbox)).scalar_one(),
        )


def check(runtime, case, auth: dict[str, str]) -> None:
    before = stored(runtime)
    response = case.call(headers=auth)
    where = (case.method, case.formatted_path, case.query, case.body, response.status_code, response.content[:300])
    assert response.status_code < 500, where
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["status"] == response.status_code, where
        assert error["code"], where
        assert error["message"], where
        assert stored(runtime) == before, ("a refused request stored something", where)


@pytest.mark.parametrize("service", SERVICES)
def test_generated_requests_never_break_a_service(service, tmp_path) -> None:
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    with sqlite_runtime(service, tmp_path) as runtime:
        app = bootstrap.create_app(runtime)
        schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
        # The caller holds every role of the instansi: the widest access, so requests reach validation and handlers.
        auth = bearer(runtime, "198503302010011002", ["pegawai", "atasan", "admin_instansi"], "1671")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert operations
        calls = 0
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
                database=None,
            )
            def fuzz(case) -> None:
                nonlocal calls
                calls += 1
                check(runtime, case, auth)

            fuzz()
        print(f"FUZZ [{service}] operations={len(operations)} requests={calls}")
