"""A throwaway PostgreSQL server run from the system's binaries (initdb + pg_ctl).

For local runs and tests on machines without a Docker engine. PostgreSQL refuses to run as
root, so under euid 0 the server runs as the ``postgres`` OS user (via ``runuser``). Tuned for
tests, not durability: fsync, synchronous_commit and full_page_writes are off.

    with PostgresServer() as pg:
        url = pg.create_database("orders")  # "postgresql+psycopg://kinerja@127.0.0.1:<port>/orders"

CLI (foreground; Ctrl-C or SIGTERM stops it)::

    python -m deploy.local.postgres_server [--port 5432] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

SUPERUSER = "kinerja"
OS_USER = "postgres"  # who runs the server when we are root
_BINARIES = ("initdb", "pg_ctl", "postgres")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}


class PostgresServerError(RuntimeError):
    """PostgreSQL could not be found, initialised or started."""


def _has_binaries(d: Path) -> bool:
    return all((d / name).is_file() and os.access(d / name, os.X_OK) for name in _BINARIES)


def _lookup_pg_bin() -> Path | None:
    env = os.environ.get("PG_BIN")
    if env:
        return Path(env) if _has_binaries(Path(env)) else None
    versions = []
    for d in Path("/usr/lib/postgresql").glob("*/bin"):
        with contextlib.suppress(ValueError):
            versions.append((float(d.parent.name), d))
    for _, d in sorted(versions, reverse=True):
        if _has_binaries(d):
            return d
    on_path = shutil.which("pg_ctl")
    if on_path and _has_binaries(Path(on_path).resolve().parent):
        return Path(on_path).resolve().parent
    return None


def find_pg_bin() -> Path:
    """Directory holding initdb, pg_ctl and postgres.

    ``$PG_BIN``, else the newest ``/usr/lib/postgresql/*/bin``, else PATH. Failing those, as root
    on Debian/Ubuntu, installs the ``postgresql`` package with apt-get and looks again.
    """
    found = _lookup_pg_bin()
    if found is not None:
        return found
    if os.environ.get("PG_BIN"):
        raise PostgresServerError(f"PG_BIN={os.environ['PG_BIN']} does not hold {', '.join(_BINARIES)}")
    if os.geteuid() == 0 and Path("/etc/debian_version").exists() and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for cmd in (["apt-get", "-qq", "update"], ["apt-get", "-qq", "install", "-y", "postgresql"]):
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise PostgresServerError(
                    f"{' '.join(cmd)} failed (exit {proc.returncode}):\n{(proc.stdout + proc.stderr)[-3000:]}"
                )
        found = _lookup_pg_bin()
        if found is not None:
            return found
    raise PostgresServerError(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: install PostgreSQL "
        "(Debian: apt-get install postgresql) or set PG_BIN to the directory holding them"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """A PostgreSQL server on 127.0.0.1 with a trusted superuser ``kinerja`` (no password)."""

    def __init__(self, data_dir: Path | None = None, port: int | None = None) -> None:
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.port: int = port or 0  # 0 until start() picks a free one
        self._run_dir: Path | None = None  # ours: socket dir, log, and the data dir if not given
        self._owns_data_dir = False
        self._pg_bin: Path | None = None
        self._started = False

    # -- helpers ---------------------------------------------------------------------------
    @property
    def _as_root(self) -> bool:
        return os.geteuid() == 0

    def _run(self, args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL tool, as the ``postgres`` user when we are root."""
        cmd = ["runuser", "-u", OS_USER, "--", *args] if self._as_root else args
        return subprocess.run(  # type: ignore[call-overload, no-any-return]
            cmd, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
            cwd=self._run_dir, **kwargs,
        )  # fmt: skip

    def _chown(self, path: Path) -> None:
        if self._as_root:
            user = pwd.getpwnam(OS_USER)
            os.chown(path, user.pw_uid, user.pw_gid)

    def _check(self, proc: subprocess.CompletedProcess[str], what: str) -> None:
        if proc.returncode != 0:
            log_tail = ""
            if self._run_dir is not None and (self._run_dir / "postgres.log").is_file():
                lines = (self._run_dir / "postgres.log").read_text(errors="replace").splitlines()
                log_tail = "\nserver log:\n" + "\n".join(lines[-30:])
            raise PostgresServerError(
                f"{what} failed (exit {proc.returncode}):\n{(proc.stdout + proc.stderr).strip()[-3000:]}{log_tail}"
            )

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, timeout: float = 60.0) -> PostgresServer:
        """initdb (if the data dir is new), start the server and wait until it accepts connections."""
        if self._started:
            raise PostgresServerError("server already started")
        if self._as_root:
            try:
                pwd.getpwnam(OS_USER)
            except KeyError:
                raise PostgresServerError(
                    f"running as root, but there is no '{OS_USER}' OS user to run PostgreSQL as"
                ) from None
        began = time.monotonic()
        pg_bin = self._pg_bin = find_pg_bin()
        # /tmp (not $TMPDIR, which may sit under a 0700 dir) so the postgres user can traverse it.
        self._run_dir = Path(tempfile.mkdtemp(prefix="kinerja-pg-", dir="/tmp" if self._as_root else None))  # noqa: S108
        self._run_dir.chmod(0o755)
        self._chown(self._run_dir)
        self._started = True
        atexit.register(self.stop)
        try:
            if self.data_dir is None:
                self.data_dir = self._run_dir / "data"
                self._owns_data_dir = True
            else:
                self.data_dir = self.data_dir.resolve()
            data_dir = self.data_dir
            if not (data_dir / "PG_VERSION").is_file():
                data_dir.mkdir(parents=True, exist_ok=True)
                data_dir.chmod(0o700)
                self._chown(data_dir)
                if self._as_root and self._run(["test", "-w", str(data_dir)]).returncode != 0:
                    raise PostgresServerError(
                        f"the '{OS_USER}' user cannot reach {data_dir}: every parent directory must be "
                        "traversable by it (o+x), e.g. put the data dir under /tmp or /var/tmp"
                    )
                self._check(
                    self._run([
                        str(pg_bin / "initdb"), "-D", str(data_dir), "-U", SUPERUSER,
                        "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions",
                    ]),
                    "initdb",
                )  # fmt: skip
            if not self.port:
                self.port = _free_port()
            settings = {**SETTINGS, "port": str(self.port), "unix_socket_directories": str(self._run_dir)}
            options = " ".join(f"-c {shlex.quote(f'{k}={v}')}" for k, v in settings.items())
            self._check(
                self._run([
                    str(pg_bin / "pg_ctl"), "start", "-D", str(data_dir), "-w", "-t", str(max(1, int(timeout))),
                    "-l", str(self._run_dir / "postgres.log"), "-o", options,
                ]),
                "pg_ctl start",
            )  # fmt: skip
            self._wait_ready(began + timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, deadline: float) -> None:
        import psycopg

        while True:
            try:
                with psycopg.connect(self._conninfo("postgres"), connect_timeout=2) as conn:
                    conn.execute("SELECT 1")
                return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise PostgresServerError(f"PostgreSQL on port {self.port} not ready: {exc}") from exc
                time.sleep(0.1)

    def stop(self) -> None:
        """``pg_ctl stop -m fast``; remove the temp dirs we created. Idempotent."""
        if not self._started:
            return
        self._started = False
        atexit.unregister(self.stop)
        if self._pg_bin is not None and self.data_dir is not None and (self.data_dir / "postmaster.pid").exists():
            proc = self._run(
                [str(self._pg_bin / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "30"]
            )
            if proc.returncode != 0:  # last resort: immediate shutdown
                self._run([str(self._pg_bin / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "immediate", "-w"])
        if self._run_dir is not None:
            shutil.rmtree(self._run_dir, ignore_errors=True)
            self._run_dir = None
        if self._owns_data_dir:
            self.data_dir = None
            self._owns_data_dir = False

    # -- connections -----------------------------------------------------------------------
    def _conninfo(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={database}"

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of ``database`` on this server (driver psycopg 3)."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """``CREATE DATABASE name``; returns :meth:`url` of it. ``name`` must be a plain identifier."""
        import psycopg
        from psycopg import sql

        if not _IDENTIFIER.fullmatch(name):
            raise ValueError(f"not a valid database name (letters, digits, _; at most 63): {name!r}")
        if not self._started:
            raise PostgresServerError("server not started")
        with psycopg.connect(self._conninfo("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """Run a server in the foreground until Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m deploy.local.postgres_server", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=None, help="TCP port (default: a free one)")
    parser.add_argument("--data-dir", type=Path, default=None, help="keep data here (default: a temp dir)")
    args = parser.parse_args(argv)

    def on_sigterm(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored
    server = PostgresServer(data_dir=args.data_dir, port=args.port)
    try:
        server.start()
        print(f"PostgreSQL ready: {server.url()}  (Ctrl-C to stop)", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("stopping PostgreSQL...", file=sys.stderr, flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
