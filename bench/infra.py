"""The broker, the database server and the running system for a benchmark run.

Kafka: a private single-node broker started here (deploy/local/kafka_broker.py) unless
`--kafka-bootstrap` names one. The services use fixed topic and consumer-group names, so a
benchmark on the shared development broker would take partitions from — and steal events of —
any end-to-end test running there at the same time; pass `--kafka-bootstrap
$KINERJA_TEST_KAFKA_BOOTSTRAP` only on a quiet broker. PostgreSQL: KINERJA_TEST_DATABASE_URL (or
`--database-url`) if given, else a private server (deploy/local/postgres_server.py); every run
gets fresh databases, so sharing the server is safe.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from bench.cpu_share import share_cpu
from deploy.local.stack import SERVICES, LocalStack
from shared.config import DEV_JWT_SECRET


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@contextlib.contextmanager
def kafka(bootstrap: str | None) -> Iterator[str]:
    if bootstrap:
        yield bootstrap
        return
    from deploy.local.kafka_broker import KafkaBroker

    with KafkaBroker() as broker:
        yield broker.bootstrap_servers


@contextlib.contextmanager
def postgres(url: str | None) -> Iterator[str]:
    url = url or os.environ.get("KINERJA_TEST_DATABASE_URL")
    if url:
        yield url
        return
    from deploy.local.postgres_server import PostgresServer

    with PostgresServer() as server:
        yield server.url()


@dataclass
class Databases:
    """CREATE DATABASE (optionally as a copy of another) on the server of `admin_url`."""

    admin_url: str

    def _connect(self, database: str | None = None) -> psycopg.Connection[Any]:
        url = make_url(self.admin_url)
        return psycopg.connect(
            host=url.host or "127.0.0.1",
            port=url.port or 5432,
            user=url.username,
            password=url.password,
            dbname=database or url.database or "postgres",
            autocommit=True,
        )

    def url(self, name: str) -> str:
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def create(self, name: str, template: str | None = None) -> str:
        """A fresh database (a leftover of the same name, e.g. a kept run's copy, is dropped first)."""
        self.drop(name)
        with self._connect() as conn:
            statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template:
                statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            conn.execute(statement)
        return self.url(name)

    def checkpoint(self) -> bool:
        """CHECKPOINT: write out now what the database copies and the baseline left dirty, instead of
        during the next close. False where the user may not (neither superuser nor pg_checkpoint)."""
        try:
            with self._connect() as conn:
                conn.execute("CHECKPOINT")
        except psycopg.errors.InsufficientPrivilege:
            return False
        return True

    def drop(self, name: str) -> None:
        with self._connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def writes(self, urls: Mapping[str, str]) -> dict[str, dict[str, Any]]:
        """Per database of `urls`: rows inserted, updated and deleted so far, and its size in bytes.

        From pg_stat_database; a backend flushes its counts at transaction end (at most a second
        late) and when it exits, so read these after the system stopped for exact figures."""
        names = {make_url(url).database: service for service, url in urls.items()}
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT datname, tup_inserted, tup_updated, tup_deleted, pg_database_size(datname) "
                "FROM pg_stat_database WHERE datname = ANY(%s)",
                [list(names)],
            ).fetchall()
        counts: dict[str, dict[str, Any]] = {
            names[name]: {"inserted": ins, "updated": upd, "deleted": dele, "bytes": size}
            for name, ins, upd, dele, size in rows
        }
        for name, service in names.items():  # the same per table, to see where the rows go
            with self._connect(name) as conn:
                tables = conn.execute(
                    "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables"
                ).fetchall()
            counts[service]["tables"] = {t: {"inserted": i, "updated": u, "deleted": d} for t, i, u, d in tables}
        return counts


@dataclass
class System:
    """The four services as processes (LocalStack), plus extra evaluation worker copies."""

    kafka_bootstrap: str
    database_urls: Mapping[str, str]
    log_dir: Path
    partitions: int
    # Worker processes per service (1 when not named): each copy joins its service's consumer group;
    # 0 stops the service's worker, so that a stage can be measured alone.
    copies: Mapping[str, int] = field(default_factory=dict)
    # A service's copies together weigh as much CPU as one copy (bench/cpu_share.py): on one
    # machine more copies cannot add cores, and each at full weight took CPU from the other services.
    # False: every copy weighs as a service of its own (before 2026-12-07).
    copies_share_cpu: bool = True
    env: Mapping[str, str] = field(default_factory=dict)
    stack: LocalStack | None = None
    copies_nice: dict[str, int] = field(default_factory=dict)  # per service with copies sharing its CPU

    def start(self) -> LocalStack:
        ports = dict(zip(SERVICES, free_ports(len(SERVICES)), strict=True))
        env = {
            "JWT_SECRET": DEV_JWT_SECRET,
            "KAFKA_TOPIC_PARTITIONS": str(self.partitions),
            "WEB_CONCURRENCY": "1",
            "LOG_LEVEL": "WARNING",
            **self.env,
        }
        self.stack = LocalStack(
            kafka_bootstrap=self.kafka_bootstrap,
            database_urls=self.database_urls,
            ports=ports,
            log_dir=self.log_dir,
            env=env,
        ).start(timeout=180)
        for name, count in self.copies.items():
            service = self.stack.services[name]
            if count == 0:  # the service's events wait on the topic (a stage measured alone)
                service.stop_process("worker")
            for copy, metrics_port in zip(range(2, count + 1), free_ports(max(count - 1, 0)), strict=True):
                service.add_worker(copy, metrics_port)
            if self.copies_share_cpu and count > 1:
                workers = [p.pid for role, p in service.processes.items() if role.startswith("worker")]
                self.copies_nice[name] = share_cpu(workers)
        return self.stack

    def metrics_ports(self) -> dict[str, int]:
        """'<service>-<worker role>' → the port of that worker's /metrics."""
        assert self.stack is not None
        return {
            f"{name}-{role}": port
            for name, service in self.stack.services.items()
            for role, port in service.worker_metrics_ports.items()
        }

    def processes(self) -> dict[str, psutil.Process]:
        """'<service>-<role>' → the process (gunicorn's master; its workers are its children)."""
        assert self.stack is not None
        found = {}
        for name, service in self.stack.services.items():
            for role, popen in service.processes.items():
                with contextlib.suppress(psutil.NoSuchProcess):
                    found[f"{name}-{role}"] = psutil.Process(popen.pid)
        return found

    def stop(self) -> None:
        if self.stack is not None:
            self.stack.stop()
            self.stack = None


def servers() -> dict[str, psutil.Process]:
    """The PostgreSQL server (its postmaster; backends are its children) and the Kafka broker
    running on this machine, when found: their CPU is most of what the services do not use."""
    found: dict[str, psutil.Process] = {}
    for p in psutil.process_iter(["name", "cmdline", "ppid"]):
        with contextlib.suppress(psutil.Error):
            cmdline = " ".join(p.info["cmdline"] or [])
            if p.info["name"] == "postgres" and psutil.Process(p.info["ppid"]).name() != "postgres":
                found.setdefault("postgres", p)
            elif p.info["name"] == "java" and "kafka.Kafka" in cmdline:
                found.setdefault("kafka", p)
    return found


def peak_rss_mb(process: psutil.Process) -> float:
    """The high-water mark of resident memory (VmHWM) of the process and its children, in MB."""
    total = 0.0
    with contextlib.suppress(psutil.NoSuchProcess):
        for p in [process, *process.children(recursive=True)]:
            with contextlib.suppress(OSError, psutil.NoSuchProcess):
                for line in Path(f"/proc/{p.pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1]) / 1024
    return round(total, 1)


def load_average() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def wait_quiet(
    max_busy: float = 0.2,
    window_s: float = 2.0,
    timeout_s: float = 60.0,
    cpu_times: Callable[[], Any] = psutil.cpu_times,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[float, float]:
    """Wait until the machine's busy share of its CPUs over `window_s` is at most `max_busy` — until
    whatever the previous run, the database copies or the baseline set going has finished — or
    `timeout_s` passed; -> (seconds waited, busy share of the last window). Never raises: a machine
    that stays busy is recorded, not refused."""
    waited, busy = 0.0, 1.0
    before = cpu_times()
    while waited < timeout_s:
        sleep(window_s)
        waited += window_s
        after = cpu_times()
        total = sum(after) - sum(before)
        idle = (after.idle + getattr(after, "iowait", 0)) - (before.idle + getattr(before, "iowait", 0))
        busy = 1.0 - idle / total if total > 0 else 0.0
        if busy <= max_busy:
            break
        before = after
    return round(waited, 1), round(busy, 3)


def dirty_mb(meminfo: Path = Path("/proc/meminfo")) -> float | None:
    """The page cache's dirty and under-writeback data, MB (None where /proc/meminfo is missing)."""
    try:
        fields = dict(line.split(":", 1) for line in meminfo.read_text().splitlines() if ":" in line)
    except OSError:
        return None
    return round(sum(int(fields.get(name, "0 kB").split()[0]) for name in ("Dirty", "Writeback")) / 1024, 1)


def flush_dirty_pages(
    sync: Callable[[], None] = os.sync, dirty: Callable[[], float | None] = dirty_mb
) -> dict[str, Any]:
    """Write the page cache's dirty data out before a close, not during it: the local PostgreSQL runs
    with fsync off and Kafka leaves flushing to the kernel, so what the database copies and the
    baseline wrote stays in memory until the kernel's writeback takes it, up to 30 s later
    (`vm.dirty_expire_centisecs`) — inside the close. 1.0–1.4 GB before every close of a
    10,000-employee set on the benchmark's machine, written in ~0.6 s. -> MB dirty before, and the
    seconds the sync took."""
    before = dirty()
    started = time.monotonic()
    sync()
    return {"dirty_mb_before": before, "sync_s": round(time.monotonic() - started, 1)}


def settle_before_close(databases: Databases) -> dict[str, Any]:
    """Start a close from a written-out, quiet machine: a CHECKPOINT (the WAL of the database copies
    and the baseline), the page cache's dirty data synced, then `wait_quiet`. Each removes one
    source of noise, not all of it (docs/scaling.md, fixes 27 and 29). -> what it found, for the
    run's results (`settled`)."""
    checkpointed = databases.checkpoint()
    flushed = flush_dirty_pages()
    quiet_wait_s, busy_before = wait_quiet()
    return {"checkpoint": checkpointed, **flushed, "quiet_wait_s": quiet_wait_s, "busy_share_before": busy_before}


def wait_until(probe: Any, what: str, timeout_s: float, interval_s: float = 1.0) -> Any:
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval_s)
    raise TimeoutError(f"timed out after {timeout_s:.0f}s waiting for {what}; last: {last!r}")
