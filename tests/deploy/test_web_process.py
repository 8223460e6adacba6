"""The real web process (`python -m services.planning web`, gunicorn with two workers): JSON logs
whose access lines carry the correlation id, /metrics aggregated over the gunicorn workers
(PROMETHEUS_MULTIPROC_DIR), and a clean exit on SIGTERM."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request

from tests.deploy.test_graceful_shutdown import REPO, _free_port, _ok, _wait_for

ROUTE = 'method="GET",route="/api/v1/skp/<skp_id>",service="planning",status="401"'


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - our own loopback server
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_web_process_logs_json_with_correlation_ids_and_aggregates_metrics_over_workers(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "DATABASE_URL": f"sqlite:///{tmp_path}/planning.db",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
    }
    subprocess.run([sys.executable, "-m", "services.planning", "migrate"], cwd=REPO, env=env, check=True, timeout=120)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "services.planning", "web", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(lambda: _ok(f"{base}/readyz"), "the web process to be ready")
        for i in range(10):
            status, _ = _get(f"{base}/api/v1/skp/skp-{i}", {"X-Correlation-ID": f"corr-{i}"})
            assert status == 401
        for _ in range(4):  # each scrape may land on either gunicorn worker: the sum is the pod's
            status, text = _get(f"{base}/metrics")
            assert status == 200
            (value,) = re.findall(r"kinerja_http_requests_total\{" + re.escape(ROUTE) + r"\} (\S+)", text)
            assert float(value) == 10
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=60)
    assert server.returncode == 0
    lines = [json.loads(line) for line in err.decode().splitlines() if line.strip()]  # every line is JSON
    assert out.decode().strip() == ""
    access = [line["message"] for line in lines if line["logger"] == "gunicorn.access"]
    assert any("/api/v1/skp/skp-3" in m and "correlation_id=corr-3" in m for m in access)
    assert {line["service"] for line in lines} == {"planning"}
