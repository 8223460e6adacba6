"""The whole system as local processes: for each service a migration, a web process (gunicorn)
and a worker, each service on its own database, all on one Kafka broker.

Used by `make run` (SQLite files under var/, a broker started here) and by the end-to-end tests
(PostgreSQL databases and the test session's broker).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("planning", "evaluation", "rewards", "notifications")


class StackError(RuntimeError):
    pass


@dataclass
class ServiceProcess:
    """One service: `migrate` once, then its web and worker processes."""

    name: str
    port: int
    database_url: str
    env: Mapping[str, str]
    log_dir: Path
    web_workers: int = 1
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    worker_metrics_ports: dict[str, int] = field(default_factory=dict)  # worker role → its /metrics port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def metrics_port(self) -> int:
        """The first worker's /metrics, beside the web port (web 8001 -> worker metrics 8101)."""
        return self.port + 100

    def _environment(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return {
            **os.environ,
            "METRICS_PORT": str(self.metrics_port),  # a taken port only warns
            **self.env,
            "DATABASE_URL": self.database_url,
            "PYTHONPATH": str(REPO),
            "PYTHONUNBUFFERED": "1",
            **(extra or {}),
        }

    def _spawn(self, role: str, *args: str, env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"{self.name}-{role}.log").open("ab")
        return subprocess.Popen(
            [sys.executable, "-m", f"services.{self.name}", *args],
            cwd=REPO,
            env=self._environment(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def migrate(self) -> None:
        result = subprocess.run(
            [sys.executable, "-m", f"services.{self.name}", "migrate"],
            cwd=REPO,
            env=self._environment(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise StackError(f"{self.name}: migration failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> None:
        self.processes["web"] = self._spawn(
            "web", "web", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.web_workers)
        )
        self.processes["worker"] = self._spawn("worker", "worker")
        self.worker_metrics_ports["worker"] = self.metrics_port

    def add_worker(self, copy: int, metrics_port: int) -> subprocess.Popen[bytes]:
        """Another copy of the worker (it joins the service's consumer groups), with its /metrics on
        a port of its own: copies on one host cannot share the first one's."""
        process = self._spawn(f"worker{copy}", "worker", env={"METRICS_PORT": str(metrics_port)})
        self.processes[f"worker{copy}"] = process
        self.worker_metrics_ports[f"worker{copy}"] = metrics_port
        return process

    def wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            for role, process in self.processes.items():
                if process.poll() is not None:
                    raise StackError(
                        f"{self.name} {role} exited with {process.returncode}; "
                        f"see {self.log_dir / f'{self.name}-{role}.log'}"
                    )
            with (
                contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
                urllib.request.urlopen(f"{self.url}/readyz", timeout=2) as response,  # noqa: S310 - our own URL
            ):
                if response.status == 200:
                    return
            time.sleep(0.2)
        raise StackError(f"{self.name} did not become ready at {self.url}/readyz")

    def stop(self, timeout: float = 20.0) -> None:
        _terminate(list(self.processes.values()), timeout)
        self.processes.clear()
        self.worker_metrics_ports.clear()

    def stop_process(self, role: str, timeout: float = 20.0) -> None:
        """Stop one of the service's processes (a worker copy), leaving the others running."""
        self.worker_metrics_ports.pop(role, None)
        _terminate([self.processes.pop(role)], timeout)


def _terminate(processes: list[subprocess.Popen[bytes]], timeout: float) -> None:
    """SIGTERM each process's group (a worker finishes its batch), SIGKILL what outlives `timeout`."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


class LocalStack:
    """All four services against one broker; `database_urls` maps each service to its own database."""

    def __init__(
        self,
        *,
        kafka_bootstrap: str,
        database_urls: Mapping[str, str],
        ports: Mapping[str, int],
        log_dir: Path,
        env: Mapping[str, str] | None = None,
    ) -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        common = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, **(env or {})}
        self.services = {
            name: ServiceProcess(name, ports[name], database_urls[name], common, log_dir) for name in SERVICES
        }

    def url(self, service: str) -> str:
        return self.services[service].url

    def start(self, timeout: float = 90.0) -> LocalStack:
        try:
            for service in self.services.values():
                service.migrate()
            for service in self.services.values():
                service.start()
            deadline = time.monotonic() + timeout
            for service in self.services.values():
                service.wait_ready(deadline)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for service in self.services.values():
            service.stop()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
