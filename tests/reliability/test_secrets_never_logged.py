"""Secrets never reach the logs: bearer tokens (valid, forged, expired), the JWT keys, webhook signing
secrets (issued and rotated) and the database password, through a run of requests that succeed, are
refused and meet an unreachable database — with every logger at DEBUG."""

from __future__ import annotations

import dataclasses
import io
import logging

from services.notifications.bootstrap import create_app, create_runtime
from services.notifications.settings import NotificationSettings
from shared.auth import TokenService
from shared.logs import JsonFormatter
from tests.unit.service_harness import sqlite_runtime

AGENCY, ADMIN = "199912312020121001", "198001012005011004"
PASSWORD = "S3cr3t-db-passw0rd-kinerja"
CURRENT, PREVIOUS = "current-jwt-key-" + "c" * 24, "previous-jwt-key-" + "p" * 24


def test_a_run_with_tokens_and_secrets_logs_none_of_them(tmp_path) -> None:
    sink = io.StringIO()
    handler = logging.StreamHandler(sink)
    handler.setFormatter(JsonFormatter("secrets-test"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    secrets: list[str] = [PASSWORD, CURRENT, PREVIOUS]
    try:
        with sqlite_runtime("notifications", tmp_path) as runtime:
            runtime.settings = dataclasses.replace(
                runtime.settings, jwt_secret=CURRENT, jwt_previous_secrets=(PREVIOUS,)
            )
            client = create_app(runtime, NotificationSettings(webhook_allow_http_localhost=True)).test_client()
            tokens = TokenService.from_settings(runtime.settings)
            agency = tokens.mint(AGENCY, ["agency"], "1671")
            old = TokenService(PREVIOUS, "kinerja", "kinerja-api").mint(ADMIN, ["admin_instansi"], "1671")
            forged = TokenService("f" * 40, "kinerja", "kinerja-api").mint(ADMIN, ["admin_instansi"], "1671")
            expired = tokens.mint(ADMIN, ["admin_instansi"], "1671", ttl_s=-60)
            secrets += [agency, old, forged, expired]
            created = client.post(
                "/api/v1/webhooks",
                json={"url": "https://bpkad.example.go.id/hook", "event_types": ["reward.granted"]},
                headers={"Authorization": f"Bearer {agency}"},
            )
            assert created.status_code == 201
            rotated = client.post(
                f"/api/v1/webhooks/{created.json['subscription_id']}/rotate-secret",
                headers={"Authorization": f"Bearer {agency}"},
            )
            assert rotated.status_code in (200, 201)
            secrets += [created.json["secret"], rotated.json["secret"]]
            assert client.get("/api/v1/audit", headers={"Authorization": f"Bearer {old}"}).status_code == 200
            for token in (forged, expired, "not-a-jwt"):
                assert client.get("/api/v1/audit", headers={"Authorization": f"Bearer {token}"}).status_code == 401

        # The same service with its database away: the 503 path logs the driver's error.
        settings = dataclasses.replace(
            runtime.settings, database_url=f"postgresql+psycopg://kinerja:{PASSWORD}@127.0.0.1:9/notifications"
        )
        away = create_runtime(settings)
        try:
            client = create_app(away, NotificationSettings()).test_client()
            response = client.get("/api/v1/audit", headers={"Authorization": f"Bearer {agency}"})
            assert response.status_code in (403, 503)  # an agency may not read the audit; the lookup never ran
            admin = TokenService.from_settings(settings).mint(ADMIN, ["admin_instansi"], "1671")
            secrets.append(admin)
            assert client.get("/api/v1/audit", headers={"Authorization": f"Bearer {admin}"}).status_code == 503
            assert client.get("/readyz").status_code == 503
        finally:
            away.engine.dispose()
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    logged = sink.getvalue()
    assert "database unavailable" in logged  # the run did log, including the failures
    leaked = [s[:12] + "…" for s in secrets if s in logged]
    assert not leaked, f"secrets in the log: {leaked}"
