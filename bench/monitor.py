"""Sampling while the year-end runs: progress per service, events consumed, consumer lag, memory."""

from __future__ import annotations

import contextlib
import threading
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import psutil
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.errors import KafkaError
from kafka.protocol.consumer.offsets import IsolationLevel, OffsetSpec
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text

# The year-end's consumers, and their consumer groups (shared.runtime: "kinerja-<service>").
SERVICES = ("evaluation", "rewards", "notifications")
GROUPS = tuple(f"kinerja-{service}" for service in SERVICES)


def _joined(group: dict[str, Any], count: int) -> bool:
    state = str(group.get("group_state") or group.get("state") or "")
    members = group.get("members") or []
    return (
        state.lower().endswith("stable") and len(members) == count and all(m.get("member_assignment") for m in members)
    )


class Lag:
    """Per consumer group: the sum over its partitions of (end offset − committed offset)."""

    def __init__(self, bootstrap: str) -> None:
        self._admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="kinerja-bench-lag")

    def sample(self) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
        """(group → {topic: lag}, group → sum of its committed offsets): the second grows by one per
        event a group has consumed — counted by the broker, at no cost to the services' databases."""
        lag: dict[str, dict[str, int]] = {}
        consumed: dict[str, int] = {}
        for group in GROUPS:
            committed = self._committed(group)
            if not committed:
                continue
            ends = self._ends(list(committed))
            per_topic: dict[str, int] = {}
            for tp, meta in committed.items():
                if tp.topic.endswith(".dlq"):
                    continue
                per_topic[tp.topic] = per_topic.get(tp.topic, 0) + max(0, ends[tp] - max(meta.offset, 0))
                consumed[group] = consumed.get(group, 0) + max(meta.offset, 0)
            lag[group] = per_topic
        return lag, consumed

    def _ends(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        found = self._admin.list_partition_offsets(
            dict.fromkeys(partitions, OffsetSpec.LATEST), isolation_level=IsolationLevel.READ_COMMITTED
        )
        return {tp: getattr(v, "offset", v) for tp, v in found.items()}

    def skip_to_end(self, partitions: int) -> None:
        """Move every group's committed offsets to the end of its topics (no member may be running).

        Every run starts from copies of the databases as they were when loading ended; the events a
        previous run produced after that must not be consumed again by the next run."""
        for group in GROUPS:
            committed = self._committed(group)
            topics = {tp.topic for tp in committed}
            if topics:
                specs = {TopicPartition(t, n): OffsetSpec.LATEST for t in topics for n in range(partitions)}
                self._admin.reset_group_offsets(group, specs)

    def wait_joined(self, members: dict[str, int], timeout_s: float = 90) -> float:
        """Wait until each group is stable with the given number of members, each holding partitions:
        a close requested while copies are still joining measures the rebalances, not the services.
        Returns the seconds waited."""
        started = time.monotonic()
        while True:
            try:
                found = self._admin.describe_groups(list(members))
                if all(_joined(found.get(group) or {}, count) for group, count in members.items()):
                    return time.monotonic() - started
            except KafkaError as exc:
                if not exc.retriable:
                    raise
            if time.monotonic() - started > timeout_s:
                raise TimeoutError(f"consumer groups not joined after {timeout_s:.0f} s: {members}")
            time.sleep(0.5)

    def _committed(self, group: str, timeout_s: float = 60) -> dict[TopicPartition, Any]:
        # A broker just started (a run on reused databases) has no group coordinator for a moment.
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                return self._admin.list_group_offsets(group).get(group, {})
            except KafkaError as exc:  # coordinator not available / loading / moved: all retriable
                if not exc.retriable or time.monotonic() > deadline:
                    raise
                time.sleep(1)

    def close(self) -> None:
        self._admin.close()


# Progress and outbox backlog per service, sampled every second while the year-end runs. Cheap on
# purpose: counting processed_events (hundreds of thousands of rows after loading) three times a
# second cost PostgreSQL about half a core — the benchmark competing with the system it measures.
# Events consumed come from the groups' committed offsets instead (Lag.sample).
COUNTS = {
    "evaluation": """SELECT
        (SELECT count(*) FROM close_items WHERE close_id = :close AND status <> 'pending'),
        (SELECT count(*) FROM outbox)""",
    "rewards": """SELECT (SELECT count(*) FROM decisions WHERE period_year = :year),
        (SELECT count(*) FROM outbox)""",
    "notifications": """SELECT
        (SELECT count(DISTINCT source_event_id) FROM notices WHERE event_type = 'evaluation.completed'),
        (SELECT count(*) FROM outbox)""",
    "planning": """SELECT 0, (SELECT count(*) FROM outbox)""",
}


class ProducedMessages:
    """The messages the system writes to its topics from now on, read back afterwards for their
    mean size (the raw baseline sends messages of that size). Every `kinerja.*` topic but the dead
    letters: the events topics and evaluation's work topic, as the outbox relays wrote them."""

    def __init__(self, bootstrap: str) -> None:
        self._consumer = KafkaConsumer(
            bootstrap_servers=bootstrap, client_id="kinerja-bench-sizes", enable_auto_commit=False
        )
        topics = [t for t in self._consumer.topics() if t.startswith("kinerja.") and not t.endswith(".dlq")]
        partitions = [TopicPartition(t, n) for t in topics for n in self._consumer.partitions_for_topic(t) or ()]
        self._start: dict[TopicPartition, int] = self._consumer.end_offsets(partitions)

    def mean_value_bytes(self, timeout_s: float = 120) -> int:
        """Mean value size of the messages written since this object was made (0 if none)."""
        consumer = self._consumer
        try:
            end = consumer.end_offsets(list(self._start))
            pending = {tp for tp, offset in end.items() if offset > self._start[tp]}
            consumer.assign(list(pending))
            for tp in pending:
                consumer.seek(tp, self._start[tp])
            total = count = 0
            deadline = time.monotonic() + timeout_s
            while pending and time.monotonic() < deadline:
                for tp, records in consumer.poll(timeout_ms=500, max_records=5000).items():
                    inside = [r for r in records if r.offset < end[tp]]
                    total += sum(len(r.value or b"") for r in inside)
                    count += len(inside)
                    if consumer.position(tp) >= end[tp]:
                        pending.discard(tp)
                        consumer.pause(tp)
            return int(total / count) if count else 0
        finally:
            consumer.close()


def cpu_seconds(root: psutil.Process, tree: list[psutil.Process]) -> float:
    """User + system seconds of a process tree: its live members, and the children it reaped
    (PostgreSQL's backends come and go with connections)."""
    reaped = root.cpu_times()
    return sum(sum(p.cpu_times()[:2]) for p in tree) + reaped.children_user + reaped.children_system


def context_switches(tree: list[psutil.Process]) -> list[int]:
    """[voluntary, involuntary] context switches of a process tree's live members."""
    counts = [p.num_ctx_switches() for p in tree]
    return [sum(c.voluntary for c in counts), sum(c.involuntary for c in counts)]


@dataclass
class Monitor:
    """A thread sampling every `interval_s` until stopped; `samples` is the time series."""

    database_urls: Mapping[str, str]
    bootstrap: str
    year: int
    close_id: str = ""
    interval_s: float = 1.0
    samples: list[dict[str, Any]] = field(default_factory=list)
    processes: Mapping[str, Any] = field(default_factory=dict)
    # PostgreSQL and the broker (infra.servers): CPU only — their RSS counts shared memory per process.
    servers: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._engines = {s: create_engine(url, pool_size=1) for s, url in self.database_urls.items()}
        self._lag = Lag(self.bootstrap)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-monitor", daemon=True)
        self._t0 = time.monotonic()

    def snapshot(self) -> dict[str, Any]:
        sample: dict[str, Any] = {"t": round(time.monotonic() - self._t0, 2), "consumed": {}, "done": {}, "outbox": {}}
        for service, engine in self._engines.items():
            with engine.connect() as conn:
                done, outbox = conn.execute(text(COUNTS[service]), {"close": self.close_id, "year": self.year}).one()
            sample["done"][service], sample["outbox"][service] = done, outbox
        # A failed broker query keeps the previous counts (no lag this sample), never a drop to 0.
        sample["consumed"] = dict(self.samples[-1]["consumed"]) if self.samples else {}
        with contextlib.suppress(Exception):
            sample["lag"], committed = self._lag.sample()
            sample["consumed"] = {group.removeprefix("kinerja-"): n for group, n in committed.items()}
        rss, cpu, switches = {}, {}, {}
        for name, process in self.processes.items():
            with contextlib.suppress(Exception):
                tree = [process, *process.children(recursive=True)]
                rss[name] = round(sum(p.memory_info().rss for p in tree) / 2**20, 1)
                cpu[name] = round(cpu_seconds(process, tree), 2)
                switches[name] = context_switches(tree)
        sample["rss_mb"] = rss
        # Context switches so far per process tree, [voluntary, involuntary]: involuntary ones are
        # the scheduler taking the CPU away — what more copies than cores cost beyond their work.
        sample["ctx_switches"] = switches
        # CPU seconds (user + system) so far: per process tree, and the whole machine's busy time
        # (PostgreSQL and the broker included), to see where a 2-core machine's time goes.
        sample["cpu_s"] = cpu
        servers = {}
        for name, process in self.servers.items():
            with contextlib.suppress(Exception):
                servers[name] = round(cpu_seconds(process, [process, *process.children(recursive=True)]), 2)
        sample["server_cpu_s"] = servers
        machine = psutil.cpu_times()
        sample["machine_busy_cpu_s"] = round(sum(machine) - machine.idle - getattr(machine, "iowait", 0), 2)
        sample["machine_ctx_switches"] = psutil.cpu_stats().ctx_switches
        return sample

    def latest(self) -> dict[str, Any]:
        """The sampling thread's newest sample (a fresh one before its first): what a wait polls,
        so that waiting adds no queries of its own."""
        return self.samples[-1] if self.samples else self.snapshot()

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(Exception):
                self.samples.append(self.snapshot())
            self._stop.wait(self.interval_s)

    def start(self, close_id: str = "") -> Monitor:
        self.close_id = close_id
        self._t0 = time.monotonic()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        self._lag.close()
        for engine in self._engines.values():
            engine.dispose()


def consumer_batches(metrics_ports: Mapping[str, int]) -> dict[str, dict[str, float]]:
    """Per service: its consumers' transactions and the mean records in one (from each worker's
    `kinerja_consumer_batch_events`), summed over the service's copies ('<service>-worker…' → port)."""
    totals: dict[str, list[float]] = {}
    for process, port in metrics_ports.items():
        service = process.split("-", 1)[0]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
                exposition = response.read().decode()
        except OSError:
            continue  # a copy without metrics: its batches are not counted
        count = total = 0.0
        for family in text_string_to_metric_families(exposition):
            if family.name == "kinerja_consumer_batch_events":
                for sample in family.samples:
                    if sample.name.endswith("_count"):
                        count += sample.value
                    elif sample.name.endswith("_sum"):
                        total += sample.value
        pair = totals.setdefault(service, [0.0, 0.0])
        pair[0] += count
        pair[1] += total
    return {
        service: {"transactions": count, "mean_events": round(total / count, 1) if count else 0.0}
        for service, (count, total) in totals.items()
    }
