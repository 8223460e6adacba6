"""A single-node Apache Kafka broker (KRaft, combined broker+controller) run as a local process.

For local runs and tests on machines without a Docker engine. The broker's jars are resolved
from Maven Central with ``deploy/kafka/pom.xml`` and cached under ``$KINERJA_CACHE_DIR``
(default ``~/.cache/kinerja``); Java 17+ and, on a cold cache, Maven must be installed.

    with KafkaBroker() as broker:
        print(broker.bootstrap_servers)  # "127.0.0.1:<port>"

CLI (foreground; Ctrl-C or SIGTERM stops it)::

    python -m deploy.local.kafka_broker [--port 9092] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import atexit
import base64
import contextlib
import fcntl
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from types import TracebackType

KAFKA_VERSION = "4.1.2"
POM = Path(__file__).resolve().parent.parent / "kafka" / "pom.xml"

log = logging.getLogger(__name__)


class KafkaBrokerError(RuntimeError):
    """The broker could not be resolved, formatted or started."""


def cache_dir() -> Path:
    """Root of Kinerja's download cache: ``$KINERJA_CACHE_DIR`` or ``~/.cache/kinerja``."""
    return Path(os.environ.get("KINERJA_CACHE_DIR") or Path.home() / ".cache" / "kinerja")


def _libs_complete(libs: Path, version: str) -> bool:
    return (libs / f"kafka_2.13-{version}.jar").is_file()


def resolve_jars(version: str = KAFKA_VERSION) -> Path:
    """Return the directory holding the broker's runtime jars, resolving them with Maven if needed.

    The jars are copied into a temporary sibling directory that is renamed to ``libs`` only once
    Maven has succeeded, so an interrupted download is never taken for a complete one; a file
    lock serialises concurrent resolutions of the same version.
    """
    home = cache_dir() / f"kafka-{version}"
    libs = home / "libs"
    if _libs_complete(libs, version):
        return libs
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _libs_complete(libs, version):  # another process finished while we waited
            return libs
        mvn = shutil.which("mvn")
        if mvn is None:
            raise KafkaBrokerError(
                f"Kafka {version} jars are not cached in {libs} and Maven ('mvn') is not on PATH: "
                "install Maven (e.g. apt-get install maven) or set KINERJA_CACHE_DIR to a cache "
                "that already holds them"
            )
        for stale in home.glob("libs.partial-*"):  # left by a killed resolution (we hold the lock)
            shutil.rmtree(stale, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix="libs.partial-", dir=home))
        tmp.chmod(0o755)
        try:
            cmd = [
                mvn, "-q", "-B", "-f", str(POM),
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-Dkafka.version={version}",
                f"-DoutputDirectory={tmp}",
            ]  # fmt: skip
            log.info("resolving Kafka %s jars with Maven into %s", version, libs)
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if proc.returncode != 0 or not _libs_complete(tmp, version):
                output = (proc.stdout + proc.stderr).strip()[-4000:]
                raise KafkaBrokerError(f"Maven could not resolve Kafka {version} (exit {proc.returncode}):\n{output}")
            if libs.exists():  # a stale, incomplete directory from an older layout
                shutil.rmtree(libs)
            os.rename(tmp, libs)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return libs


def find_java() -> str:
    """Path of the ``java`` launcher: ``$JAVA_HOME/bin/java``, else ``java`` on PATH."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise KafkaBrokerError("no Java found: set JAVA_HOME or put 'java' (17+) on PATH")
    return java


def _free_ports(count: int) -> list[int]:
    """Ports the kernel reports free on 127.0.0.1 (all sockets held open until all are picked)."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _random_cluster_id() -> str:
    """A Kafka ``Uuid`` string: 16 random bytes, base64url without padding (22 chars)."""
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cid.startswith("-"):  # Kafka avoids these too: they look like CLI options
            return cid


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "<no log>"


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask Linux to SIGTERM the child when the thread that started it dies (no orphans)."""
    import ctypes

    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


_LOG4J2 = """\
status = warn
name = kinerja-kafka
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = {log_file}
appender.file.append = true
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.file.ref = FILE
"""


class KafkaBroker:
    """A throwaway single-node Kafka broker in KRaft mode (process.roles=broker,controller)."""

    def __init__(
        self,
        data_dir: Path | None = None,
        port: int | None = None,
        controller_port: int | None = None,
        num_partitions: int = 3,
        heap: str = "512m",
        log_file: Path | None = None,
    ) -> None:
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.port = port
        self.controller_port = controller_port
        self.num_partitions = num_partitions
        self.heap = heap
        self.log_file = Path(log_file) if log_file is not None else None
        self._owns_data_dir = False
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        """``"127.0.0.1:<port>"``; valid after :meth:`start`."""
        if self.port is None:
            raise KafkaBrokerError("the broker has no port yet: call start() first")
        return f"127.0.0.1:{self.port}"

    def _server_properties(self, data_dir: Path) -> str:
        props = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.bootstrap.servers": f"127.0.0.1:{self.controller_port}",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(data_dir / "kraft-logs"),
            "num.partitions": str(self.num_partitions),
            "auto.create.topics.enable": "false",
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "log.cleaner.dedupe.buffer.size": "2097152",  # must be > 1 MiB per cleaner thread
        }
        return "".join(f"{k}={v}\n" for k, v in props.items())

    @staticmethod
    def _previous_controller_port(config: Path) -> int | None:
        """The controller port a reused data dir was formatted with (it is in the KRaft log)."""
        if not config.is_file():
            return None
        for line in config.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "controller.quorum.bootstrap.servers":
                with contextlib.suppress(ValueError):
                    return int(value.rsplit(":", 1)[1])
        return None

    def start(self, timeout: float = 90.0) -> KafkaBroker:
        """Format storage (first run), start the broker and block until it answers metadata requests."""
        if self._proc is not None:
            raise KafkaBrokerError("broker already started")
        began = time.monotonic()
        libs = resolve_jars()
        java = find_java()
        classpath = str(libs / "*")

        if self.data_dir is None:
            self.data_dir = Path(tempfile.mkdtemp(prefix="kinerja-kafka-"))
            self._owns_data_dir = True
        data_dir = self.data_dir.resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        config = data_dir / "server.properties"
        formatted = (data_dir / "kraft-logs" / "meta.properties").is_file()
        if formatted and self.controller_port is None:
            self.controller_port = self._previous_controller_port(config)
        if self.port is None or self.controller_port is None:
            picked = iter(_free_ports(2))
            self.port = self.port or next(picked)
            self.controller_port = self.controller_port or next(picked)
        log_file = (self.log_file or data_dir / "broker.log").resolve()
        self.log_file = log_file
        config.write_text(self._server_properties(data_dir))
        log4j = data_dir / "log4j2.properties"
        log4j.write_text(_LOG4J2.format(log_file=log_file))

        try:
            if not formatted:
                fmt = subprocess.run(
                    [java, "-cp", classpath, f"-Dlog4j2.configurationFile={log4j}",
                     "kafka.tools.StorageTool", "format", "--standalone",
                     "-t", _random_cluster_id(), "-c", str(config)],
                    capture_output=True, text=True, check=False,
                )  # fmt: skip
                if fmt.returncode != 0:
                    raise KafkaBrokerError(
                        f"kafka StorageTool format failed (exit {fmt.returncode}):\n"
                        f"{(fmt.stdout + fmt.stderr).strip()[-4000:]}"
                    )
            cmd = [
                java, f"-Xmx{self.heap}", f"-Xms{self.heap}",
                "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:+ExitOnOutOfMemoryError",
                "-Djava.awt.headless=true",
                f"-Dlog4j2.configurationFile={log4j}",
                "-cp", classpath, "kafka.Kafka", str(config),
            ]  # fmt: skip
            on_main_thread = threading.current_thread() is threading.main_thread()
            with open(log_file, "ab") as out:
                self._proc = subprocess.Popen(
                    cmd,
                    cwd=data_dir,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # Ctrl-C reaches us, and we stop the broker in order
                    preexec_fn=_die_with_parent if on_main_thread and sys.platform == "linux" else None,
                )
            atexit.register(self.stop)
            self._wait_ready(began + timeout)
        except BaseException:
            self.stop()
            raise
        log.info("Kafka broker ready at %s in %.1fs", self.bootstrap_servers, time.monotonic() - began)
        return self

    def _wait_ready(self, deadline: float) -> None:
        from kafka import KafkaAdminClient

        assert self._proc is not None
        kafka_logger = logging.getLogger("kafka")
        level = kafka_logger.level
        kafka_logger.setLevel(logging.CRITICAL)  # connection-refused noise while it boots
        try:
            while True:
                if self._proc.poll() is not None:
                    raise KafkaBrokerError(
                        f"Kafka broker exited with code {self._proc.returncode} during start; "
                        f"tail of its log ({self.log_file}):\n{_tail(self.log_file)}"  # type: ignore[arg-type]
                    )
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise KafkaBrokerError(
                        f"Kafka broker at {self.bootstrap_servers} not ready in time; "
                        f"tail of its log ({self.log_file}):\n{_tail(self.log_file)}"  # type: ignore[arg-type]
                    )
                try:
                    admin = KafkaAdminClient(
                        bootstrap_servers=self.bootstrap_servers,
                        client_id="kinerja-readiness",
                        bootstrap_timeout_ms=int(min(remaining, 5.0) * 1000),
                        request_timeout_ms=5000,
                    )
                    try:
                        admin.list_topics()
                        return
                    finally:
                        admin.close()
                except Exception:  # noqa: BLE001 - not up yet; the loop re-checks the process
                    time.sleep(0.2)
        finally:
            kafka_logger.setLevel(level)

    def stop(self) -> None:
        """SIGTERM the broker, wait up to 20 s, then SIGKILL; remove a data dir we created. Idempotent."""
        proc, self._proc = self._proc, None
        atexit.unregister(self.stop)
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._owns_data_dir and self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self._owns_data_dir = False

    def __enter__(self) -> KafkaBroker:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """Run a broker in the foreground until Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m deploy.local.kafka_broker", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=None, help="PLAINTEXT port (default: a free one)")
    parser.add_argument("--controller-port", type=int, default=None, help="KRaft controller port")
    parser.add_argument("--data-dir", type=Path, default=None, help="keep data here (default: a temp dir)")
    parser.add_argument("--heap", default="512m", help="JVM heap, e.g. 512m or 1g")
    parser.add_argument("--partitions", type=int, default=3, help="default partitions of new topics")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    def on_sigterm(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored
    broker = KafkaBroker(
        data_dir=args.data_dir,
        port=args.port,
        controller_port=args.controller_port,
        num_partitions=args.partitions,
        heap=args.heap,
    )
    try:
        broker.start()
        print(f"Kafka {KAFKA_VERSION} broker ready: bootstrap servers {broker.bootstrap_servers}", flush=True)
        print(f"log: {broker.log_file}  (Ctrl-C to stop)", flush=True)
        assert broker._proc is not None
        code = broker._proc.wait()
        print(f"broker exited with code {code}; tail of log:\n{_tail(broker.log_file)}", file=sys.stderr)  # type: ignore[arg-type]
        return 1
    except KeyboardInterrupt:
        print("stopping broker...", file=sys.stderr, flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not abort the shutdown
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        broker.stop()


if __name__ == "__main__":
    sys.exit(main())
