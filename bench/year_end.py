"""Year-end at city scale: load a generated city, close the year, measure until every employee
has an evaluation, a reward decision and a notice. A script that prints figures, not a test.

    python -m bench.year_end [--employees 10000] [--workers 1,4] [--partitions 4] [--consumer-batch 500]

Steps: start a broker (private unless --kafka-bootstrap) and use PostgreSQL (KINERJA_TEST_DATABASE_URL
or a private server); create the four services' databases; run the system (deploy/local/stack.py,
every web and worker a separate process); load the city through the services' paths (bench/load.py)
and wait until every consumer caught up — *loading is measured separately, it is not the year-end*.
Then stop the system and, for each run asked for (evaluation worker copies × consumer batch size),
copy the loaded databases (CREATE DATABASE … TEMPLATE), start the system on the copies, request the
close (`POST /api/v1/periods/{year}/annual/close`) and sample progress, lag and memory until done.
After every repetition of the runs the raw baseline (bare kafka-python and PostgreSQL inserts of the
same volume) beside them; finally a JSON of everything under bench/results/ and a PNG chart beside it.

`--stage evaluation` measures evaluation alone (rewards' and notifications' workers stopped) until
every result is on its topic: how evaluation's copies scale when the machine's cores are theirs.
"""

from __future__ import annotations

import argparse
import itertools
import json
import signal
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text

from bench import baseline, chart, infra, load, monitor
from bench import city as gen
from deploy.local.stack import SERVICES
from shared.auth import TokenService
from shared.config import Settings

ADMIN_NIP = "196805101994031002"
RESULTS = Path(__file__).resolve().parent / "results"


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def settled(mon: monitor.Monitor) -> bool:
    """Every outbox relayed and every consumer group at the end of its topics."""
    sample = mon.latest()
    lag = sample.get("lag", {})
    return (
        all(v == 0 for v in sample["outbox"].values())
        and set(monitor.GROUPS) <= set(lag)
        and all(v == 0 for topics in lag.values() for v in topics.values())
    )


def wait_settled(urls: dict[str, str], bootstrap: str, year: int, timeout_s: float) -> float:
    started = time.monotonic()
    mon = monitor.Monitor(urls, bootstrap, year)
    try:
        infra.wait_until(lambda: settled(mon) and (time.sleep(2) or settled(mon)), "consumers to catch up", timeout_s)
    finally:
        mon.stop()
    return time.monotonic() - started


def load_city(args: argparse.Namespace, city: gen.City, system: infra.System, token: str) -> dict[str, Any]:
    stack = system.start()
    urls, bootstrap, timings = dict(system.database_urls), system.kafka_bootstrap, {}
    started = time.monotonic()
    report = load.import_organisation(stack.url("planning"), token, city)
    timings["organisation_import_s"] = round(time.monotonic() - started, 1)
    log(f"organisation imported in {timings['organisation_import_s']} s: {report.get('counts', report)}")
    step = time.monotonic()
    plans = load.load_plans(urls["planning"], city)
    timings["plans_written_s"] = round(time.monotonic() - step, 1)
    log(f"plans written in {timings['plans_written_s']} s: {plans}")
    step = time.monotonic()
    assessments = load.load_assessments(urls["evaluation"], city)
    timings["assessments_written_s"] = round(time.monotonic() - step, 1)
    log(f"assessments written in {timings['assessments_written_s']} s: {assessments}")
    timings["consumers_caught_up_s"] = round(wait_settled(urls, bootstrap, city.year, args.timeout), 1)
    log(f"every consumer caught up after another {timings['consumers_caught_up_s']} s")
    step = time.monotonic()
    public = load.load_public_input(stack.url("evaluation"), token, city)
    timings["public_input_s"] = round(time.monotonic() - step, 1)
    wait_settled(urls, bootstrap, city.year, args.timeout)
    timings["total_s"] = round(time.monotonic() - started, 1)
    system.stop()
    log(f"loading took {timings['total_s']} s in all (not part of the year-end)")
    return {"timings": timings, "plans": plans, **assessments, **public, "import": report.get("counts")}


def unpublished(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM outbox")).scalar_one())


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))], 3)


def latencies(urls: dict[str, str], since: datetime, year: int) -> list[float]:
    """Seconds from each employee's annual evaluation stored (its row, written in the transaction
    that wrote evaluation.completed to the outbox) to that employee's notice of it stored. (The relay
    deletes the outbox rows it has sent, so the outbox no longer tells when an event was written.)"""
    with create_engine(urls["evaluation"]).connect() as conn:
        completed = dict(
            conn.execute(
                text(
                    "SELECT nip, completed_at FROM evaluations "
                    "WHERE period_year = :year AND period = 'annual' AND completed_at >= :t"
                ),
                {"year": year, "t": since},
            ).all()
        )
    with create_engine(urls["notifications"]).connect() as conn:
        noticed = conn.execute(  # one notice per evaluation.completed, to the evaluated employee
            text(
                "SELECT recipient_nip, min(created_at) FROM notices "
                "WHERE event_type = 'evaluation.completed' AND created_at >= :t GROUP BY recipient_nip"
            ),
            {"t": since},
        ).all()
    return [(at - completed[nip]).total_seconds() for nip, at in noticed if nip in completed]


def active_rate(samples: list[dict[str, Any]], service: str) -> float:
    """Events consumed per second while the service was busy (first to last sample with progress)."""
    moving = [
        (b["t"], a["t"], a["consumed"].get(service, 0) - b["consumed"].get(service, 0))
        for b, a in itertools.pairwise(samples)
        if a["consumed"].get(service, 0) > b["consumed"].get(service, 0)
    ]
    if not moving:
        return 0.0
    return round(sum(m[2] for m in moving) / max(0.001, moving[-1][1] - moving[0][0]), 1)


def rows_written(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Rows the run inserted, updated or deleted per service database, and their mean size
    (the databases' growth over the rows inserted: heap, indexes and TOAST together)."""
    kinds = ("inserted", "updated", "deleted")
    per_service = {service: {k: after[service][k] - before[service].get(k, 0) for k in kinds} for service in after}
    per_table: dict[str, dict[str, dict[str, int]]] = {}
    for service in after:
        earlier = before[service].get("tables", {})
        for table, counts in after[service].get("tables", {}).items():
            delta = {k: counts[k] - earlier.get(table, {}).get(k, 0) for k in kinds}
            if any(delta.values()):
                per_table.setdefault(service, {})[table] = delta
    inserted = sum(c["inserted"] for c in per_service.values())
    grown = sum(after[s]["bytes"] - before[s].get("bytes", 0) for s in after)
    return {
        "per_service": per_service,
        "per_table": per_table,
        "total": sum(sum(c.values()) for c in per_service.values()),
        "mean_bytes_inserted": int(grown / inserted) if inserted else 0,
    }


def raw_baseline(
    bootstrap: str, dbs: infra.Databases, stamp: str, partitions: int, runs: list[dict[str, Any]], tag: str = ""
) -> dict[str, Any]:
    """Bare kafka-python and bare inserts for the fastest run's work: the messages it produced (its
    outbox rows) through the broker and those its services consumed read back, and the rows it wrote
    into PostgreSQL (counted from pg_stat_database, of the size it wrote); also, as before that
    count existed, as many rows as messages consumed, of the messages' size. `tag` names its
    scratch databases, dropped afterwards."""
    best = min(runs, key=lambda r: r["wall_s"])
    messages = sum(best["events_consumed"].values())
    produced = max(
        messages, sum(t.get("outbox", {}).get("inserted", 0) for t in best["rows_written"]["per_table"].values())
    )
    size = best["mean_message_bytes"]
    rows = best["rows_written"]["total"]
    row_bytes = max(64, min(size, best["rows_written"]["mean_bytes_inserted"]))
    log(
        f"raw baseline: {produced} messages of {size} bytes produced, {messages} consumed; "
        f"{rows} rows of {row_bytes} bytes (and {messages} rows)"
    )
    raw_kafka = baseline.kafka_round_trip(bootstrap, produced, size, partitions, consumed=messages)
    scratch = [f"bench_{stamp.lower()}_raw{n}{tag}" for n in ("", "2", "3")]
    try:
        raw_db = baseline.postgres_rows(dbs.create(scratch[0]), rows, row_bytes)
        raw_db_messages = baseline.postgres_rows(dbs.create(scratch[1]), messages, size)
        raw_db_copy = baseline.postgres_rows(dbs.create(scratch[2]), rows, row_bytes, method="copy")
    finally:
        for name in scratch:
            dbs.drop(name)
    kafka_s = raw_kafka["produce_s"] + raw_kafka["consume_s"]
    return {
        "kafka": raw_kafka,
        "postgres": raw_db,
        "messages_per_s": round(messages / (kafka_s + raw_db["write_s"]), 1),
        "definition": "messages consumed / (producing the run's messages + consuming those it consumed + writing "
        "the run's rows), each stage alone, no business logic",
        "rows_as_messages": {
            "postgres": raw_db_messages,
            "messages_per_s": round(messages / (kafka_s + raw_db_messages["write_s"]), 1),
        },
        # The same rows by COPY, as the services write a batch's inserts since fix 26: the stricter floor.
        "rows_by_copy": {
            "postgres": raw_db_copy,
            "messages_per_s": round(messages / (kafka_s + raw_db_copy["write_s"]), 1),
        },
    }


def add_fractions(run: dict[str, Any], measured: dict[str, Any]) -> None:
    """The run's throughput (events its services consumed / time until drained) against a baseline."""
    ours = sum(run["events_consumed"].values()) / run["drained_s"]
    run["baseline_messages_per_s"] = measured["messages_per_s"]
    run["fraction_of_baseline"] = round(ours / measured["messages_per_s"], 3)
    run["fraction_of_baseline_rows_as_messages"] = round(ours / measured["rows_as_messages"]["messages_per_s"], 3)
    run["fraction_of_baseline_rows_by_copy"] = round(ours / measured["rows_by_copy"]["messages_per_s"], 3)


MEDIAN_KEYS = (
    "wall_s",
    "drained_s",
    "evaluations_done_s",
    "evaluations_per_s",
    "fraction_of_baseline",
    "fraction_of_baseline_rows_by_copy",
    "machine_busy_cpu_s",
)


def medians(runs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per configuration: how many runs, and the median and range of its headline figures."""
    by_config: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        by_config.setdefault(run["config"], []).append(run)
    summary: dict[str, dict[str, Any]] = {}
    for config, theirs in by_config.items():
        figures: dict[str, Any] = {"runs": len(theirs)}
        for key in MEDIAN_KEYS:
            values = [r[key] for r in theirs if r.get(key) is not None]
            if values:
                figures[key] = round(statistics.median(values), 3)
                figures[f"{key}_range"] = [min(values), max(values)]
        rates = [r["events_per_s_active"]["evaluation"] for r in theirs]
        figures["evaluation_events_per_s_active"] = round(statistics.median(rates), 1)
        summary[config] = figures
    return summary


def scaling(runs: list[dict[str, Any]], batch: int, one: int, most: int, share: bool = True) -> dict[str, Any]:
    """1 against N evaluation copies: the ratio of the median walls (above 1: N was faster), and the
    ratio within each repetition (runs of the same repetition ran next to each other)."""
    mine = [r for r in runs if r["consumer_batch_size"] == batch and r.get("copies_share_cpu", True) == share]
    walls = {n: [r["wall_s"] for r in mine if r["evaluation_workers"] == n] for n in (one, most)}
    rates = {
        n: [r["events_per_s_active"]["evaluation"] for r in mine if r["evaluation_workers"] == n] for n in (one, most)
    }
    return {
        "workers": [one, most],
        "wall_ratio_1_over_n": round(statistics.median(walls[one]) / statistics.median(walls[most]), 2),
        "wall_ratio_1_over_n_each": [round(a / b, 2) for a, b in zip(walls[one], walls[most], strict=False)],
        "evaluation_rate_ratio_n_over_1": round(
            statistics.median(rates[most]) / max(0.1, statistics.median(rates[one])), 2
        ),
    }


def year_end(
    args: argparse.Namespace,
    loaded: dict[str, str],
    dbs: infra.Databases,
    label: str,
    workers: int,
    batch: int,
    token: str,
    year: int,
    share: bool = True,
) -> dict[str, Any]:
    suffix = label.replace(" ", "_").replace(",", "").replace("#", "r")
    urls = {s: dbs.create(f"{loaded[s]}_{suffix}"[:63], template=loaded[s]) for s in SERVICES}
    system = infra.System(
        args.bootstrap,
        urls,
        args.log_dir / suffix,
        args.partitions,
        copies={**args.copies, "evaluation": workers},
        copies_share_cpu=share,
        env={"CONSUMER_BATCH_SIZE": str(batch)},
    )
    lag = monitor.Lag(args.bootstrap)
    try:
        lag.skip_to_end(args.partitions)  # leftovers of the previous run are not this run's work
    finally:
        lag.close()
    stack = system.start()
    lag = monitor.Lag(args.bootstrap)
    try:  # every copy in its group with its partitions before the close
        joined_s = lag.wait_joined({f"kinerja-{name}": count for name, count in system.copies.items() if count})
    finally:
        lag.close()
    log(f"{label}: consumer groups joined after {joined_s:.1f} s")
    before_close = infra.settle_before_close(dbs)
    done = "done" if before_close["checkpoint"] else "not allowed"
    log(
        f"{label}: checkpoint {done}; {before_close['dirty_mb_before']} MB of dirty pages written out in "
        f"{before_close['sync_s']} s; machine quiet after {before_close['quiet_wait_s']} s "
        f"(busy share {before_close['busy_share_before']})"
    )
    mon = monitor.Monitor(urls, args.bootstrap, year, processes=system.processes(), servers=infra.servers())
    writes_before = dbs.writes(urls)
    produced = monitor.ProducedMessages(args.bootstrap)
    log(f"{label}: closing the year")
    since = datetime.now(UTC)
    started = time.monotonic()
    close = load.http("POST", f"{stack.url('evaluation')}/api/v1/periods/{year}/annual/close", token, {})
    close_request_s = time.monotonic() - started
    mon.start(close["close_id"])
    total = close["total"]
    try:
        infra.wait_until(lambda: mon.latest()["done"]["evaluation"] >= total, "every close item", args.timeout, 0.2)
        evaluation_done_s = time.monotonic() - started
        evaluation_db = create_engine(urls["evaluation"])
        with evaluation_db.connect() as conn:
            statuses = dict(
                conn.execute(
                    text("SELECT status, count(*) FROM close_items WHERE close_id = :c GROUP BY status"),
                    {"c": close["close_id"]},
                ).all()
            )
        evaluated = statuses.get("completed", 0) + statuses.get("revised", 0)
        if args.stage == "evaluation":  # the stage alone: until its results are on the topic
            infra.wait_until(lambda: unpublished(evaluation_db) == 0, "evaluation's outbox", args.timeout, 0.1)
            wall_s = drained_s = time.monotonic() - started
        else:
            infra.wait_until(
                lambda: (s := mon.latest())["done"]["rewards"] >= evaluated and s["done"]["notifications"] >= evaluated,
                "every reward decision and notice",
                args.timeout,
                0.5,
            )
            wall_s = time.monotonic() - started
            # Everything else the close caused (reward notices, deliveries…) until every lag is 0.
            infra.wait_until(lambda: settled(mon), "every consumer to drain", args.timeout, 0.5)
            drained_s = time.monotonic() - started
        evaluation_db.dispose()
        final = mon.snapshot()
        peak = {name: infra.peak_rss_mb(p) for name, p in system.processes().items()}
        batches = monitor.consumer_batches(system.metrics_ports())
    finally:
        mon.stop()
        system.stop()
    samples = [*mon.samples, final]
    first = samples[0]
    writes = rows_written(writes_before, dbs.writes(urls))  # the system stopped: counts are final
    consumed = {s: final["consumed"].get(s, 0) - first["consumed"].get(s, 0) for s in monitor.SERVICES}
    lat = latencies(urls, since, year)
    result = {
        "label": label,
        "evaluation_workers": workers,
        "worker_copies": dict(system.copies),
        "copies_share_cpu": share,
        "copies_nice": system.copies_nice,
        "consumer_batch_size": batch,
        "partitions": args.partitions,
        "employees_in_close": total,
        "close_statuses": statuses,
        "close_request_s": round(close_request_s, 2),
        "settled": before_close,
        "evaluations_done_s": round(evaluation_done_s, 1),
        "stage": args.stage,
        "evaluations_per_s": round(evaluated / wall_s, 1),  # employees through the measured stages
        "wall_s": round(wall_s, 1),
        "drained_s": round(drained_s, 1),
        "events_consumed": consumed,
        "events_per_s_drained": {s: round(n / drained_s, 1) for s, n in consumed.items()},
        "events_per_s_active": {s: active_rate(samples, s) for s in consumed},
        "latency_completed_to_notice_s": {
            "count": len(lat),
            "p50": percentile(lat, 50),
            "p95": percentile(lat, 95),
            "p99": percentile(lat, 99),
            "mean": round(statistics.fmean(lat), 3) if lat else None,
        },
        "peak_rss_mb": peak,
        "consumer_batches": batches,
        "cpu_s": {
            name: round(final["cpu_s"][name] - first["cpu_s"].get(name, 0), 1) for name in final.get("cpu_s", {})
        },
        "server_cpu_s": {
            name: round(final["server_cpu_s"][name] - first["server_cpu_s"].get(name, 0), 1)
            for name in final.get("server_cpu_s", {})
        },
        "machine_busy_cpu_s": round(final["machine_busy_cpu_s"] - first["machine_busy_cpu_s"], 1),
        "ctx_switches": {
            name: [now - before for now, before in zip(counts, first["ctx_switches"].get(name, [0, 0]), strict=True)]
            for name, counts in final.get("ctx_switches", {}).items()
        },
        "machine_ctx_switches": final.get("machine_ctx_switches", 0) - first.get("machine_ctx_switches", 0),
        "rows_written": writes,
        "max_lag": {
            g: max((sum(s.get("lag", {}).get(g, {}).values()) for s in samples), default=0) for g in monitor.GROUPS
        },
        "mean_message_bytes": produced.mean_value_bytes(),
        "load_average_after": infra.load_average(),
        "samples": samples,
    }
    if not args.keep_databases:
        for name in urls:
            dbs.drop(f"{loaded[name]}_{suffix}"[:63])
    log(
        f"{label}: {total} employees, {evaluated} evaluated, wall {result['wall_s']} s "
        f"(evaluations done at {result['evaluations_done_s']} s, drained at {result['drained_s']} s); "
        f"events/s {result['events_per_s_active']}; "
        f"latency p50/p95/p99 {lat and [result['latency_completed_to_notice_s'][k] for k in ('p50', 'p95', 'p99')]}"
    )
    return result


# Worker copies of rewards and notifications unless --copies names others: notifications, with
# 4.6 events per employee, was the close's tail with one copy.
DEFAULT_COPIES = {"rewards": 1, "notifications": 2}


def worker_copies(spec: str) -> dict[str, int]:
    """'notifications=2,rewards=1' → copies per service; those not named keep DEFAULT_COPIES."""
    copies = dict(DEFAULT_COPIES)
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, count = part.partition("=")
        if name not in copies or not count.isdigit() or int(count) < 1:
            raise argparse.ArgumentTypeError(f"{part!r}: expected rewards=N or notifications=N, N ≥ 1")
        copies[name] = int(count)
    return copies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--workers", default="1,4", help="evaluation worker copies per run, e.g. 1,4")
    parser.add_argument("--partitions", type=int, default=4, help="partitions of every topic")
    parser.add_argument(
        "--copies",
        type=worker_copies,
        default=DEFAULT_COPIES,
        metavar="SERVICE=N,...",
        help="worker copies of rewards and notifications in every run (default notifications=2, the close's "
        "tail with one; evaluation's are --workers)",
    )
    parser.add_argument(
        "--cpu-share",
        choices=("on", "off", "both"),
        default="on",
        help="on: a service's copies together weigh as much CPU as one (bench/cpu_share.py); off: every "
        "copy weighs as a service of its own; both: every configuration both ways, interleaved",
    )
    parser.add_argument(
        "--consumer-batch", default="500", help="CONSUMER_BATCH_SIZE per run; 1 = one transaction per event"
    )
    parser.add_argument("--kafka-bootstrap", default=None, help="an existing broker (default: a private one)")
    parser.add_argument("--database-url", default=None, help="admin URL of a PostgreSQL server")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--keep-databases", action="store_true")
    parser.add_argument(
        "--loaded",
        metavar="STAMP",
        help="skip loading: reuse the databases bench_<STAMP>_<service> a run with --keep-databases left "
        "(same --employees and --seed)",
    )
    parser.add_argument(
        "--stage",
        choices=("close", "evaluation"),
        default="close",
        help="close: the whole year-end; evaluation: evaluation alone (rewards' and notifications' workers "
        "stopped), until every result is on its topic — how evaluation's copies scale when they have the "
        "machine's cores to themselves (no raw baseline: it measures the whole pipeline)",
    )
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--no-warm-up",
        action="store_true",
        help="skip the discarded warm-up close before the measured runs (the first run after the broker "
        "starts cost it 6-8 more CPU seconds than the same run later, whichever worker count came first)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="closes per configuration, interleaved; medians are reported (one close varies by ±15%% here)",
    )
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.stage == "evaluation":
        args.copies, args.no_baseline = {"rewards": 0, "notifications": 0}, True
    # SIGTERM (a timeout, an operator) unwinds like Ctrl-C, so the services and the broker are stopped.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    RESULTS.mkdir(exist_ok=True)
    args.log_dir = Path("var") / "bench" / stamp
    workers = [int(w) for w in args.workers.split(",")]
    batches = [int(b) for b in args.consumer_batch.split(",")]
    shares = {"on": [True], "off": [False], "both": [True, False]}[args.cpu_share]
    city = gen.generate(args.employees, seed=args.seed)
    tokens = TokenService.from_settings(Settings.from_env("bench"))
    token = tokens.mint(ADMIN_NIP, ["admin_instansi"], city.tenant, name="Admin BKPSDM")
    log(f"city: {len(city.people)} employees in {len(city.units)} units; load average: {infra.load_average()}")
    results: dict[str, Any] = {
        "started_at": stamp,
        "stage": args.stage,
        "employees": len(city.people),
        "units": len(city.units),
    }
    with infra.kafka(args.kafka_bootstrap) as bootstrap, infra.postgres(args.database_url) as admin_url:
        args.bootstrap = bootstrap
        dbs = infra.Databases(admin_url)
        if args.loaded:
            names = {s: f"bench_{args.loaded.lower()}_{s}" for s in SERVICES}
            results["loading"] = {"reused": args.loaded}
        else:
            loaded = {s: dbs.create(f"bench_{stamp.lower()}_{s}") for s in SERVICES}
            names = {s: f"bench_{stamp.lower()}_{s}" for s in SERVICES}
            system = infra.System(bootstrap, loaded, args.log_dir / "load", args.partitions)
            try:
                results["loading"] = load_city(args, city, system, token)
            finally:
                system.stop()
        if not args.no_warm_up:
            warm_up = year_end(args, names, dbs, "warm-up", workers[0], batches[0], token, city.year, shares[0])
            results["warm_up"] = {k: v for k, v in warm_up.items() if k != "samples"}
        runs, baselines = [], []
        configs = [(batch, share, count) for batch in batches for share in shares for count in workers]
        for repetition in range(args.repeat):
            # Every other repetition in reverse: drift over the session and the position of a run
            # (the first after the warm-up, the last) weigh on every configuration alike.
            theirs = []
            for batch, share, count in configs if repetition % 2 == 0 else configs[::-1]:
                config = f"batch {batch}, {count} worker{'s' if count > 1 else ''}{'' if share else ', CPU not shared'}"
                label = config if args.repeat == 1 else f"{config} #{repetition + 1}"
                run = year_end(args, names, dbs, label, count, batch, token, city.year, share)
                theirs.append({"config": config, "repetition": repetition + 1, **run})
            runs += theirs
            if not args.no_baseline:
                # A baseline beside every repetition's closes, not one at the end: this machine's
                # speed drifts by 10-20% within minutes (one configuration's busy CPU seconds from 83
                # to 96 in one session), and a close is only comparable with a baseline next to it.
                measured = raw_baseline(bootstrap, dbs, stamp, args.partitions, theirs, f"_r{repetition + 1}")
                baselines.append(measured)
                for run in theirs:
                    add_fractions(run, measured)
        results["runs"] = runs
        if baselines:
            results["baselines"] = baselines
            results["baseline"] = sorted(baselines, key=lambda b: b["messages_per_s"])[len(baselines) // 2]
        results["medians"] = medians(runs)
        for batch, share in itertools.product(batches, shares):
            for count in sorted(set(workers))[1:]:  # each N against the fewest copies
                key = f"batch {batch}, {min(workers)} vs {count}{'' if share else ', CPU not shared'}"
                results.setdefault("scaling", {})[key] = scaling(runs, batch, min(workers), count, share)
        if not args.keep_databases:
            for s in SERVICES if not args.loaded else ():  # reused databases stay for the next run
                dbs.drop(names[s])
    results["load_average_end"] = infra.load_average()
    out = RESULTS / f"{stamp}.json"
    out.write_text(json.dumps(results, indent=1, default=str))
    png = chart.draw(results["runs"], RESULTS / f"{stamp}.png", f"Year-end, {len(city.people)} employees")
    print_summary(results)
    log(f"results: {out}\nchart: {png}")
    return 0


def print_summary(results: dict[str, Any]) -> None:
    stage = "" if results.get("stage", "close") == "close" else f", the {results['stage']} stage alone"
    print(f"\n== year-end benchmark, {results['employees']} employees{stage} ==")
    print(f"loading (not the year-end): {results['loading'].get('timings', results['loading'])}")
    if "warm_up" in results:
        print(f"warm-up close (discarded): wall {results['warm_up']['wall_s']} s")
    for run in results["runs"]:
        lat = run["latency_completed_to_notice_s"]
        print(
            f"- {run['label']}: wall {run['wall_s']} s (close request {run['close_request_s']} s, evaluations "
            f"done {run['evaluations_done_s']} s, {run.get('evaluations_per_s')} evaluations/s); "
            f"events/s while busy {run['events_per_s_active']}; "
            f"completed→notice p50 {lat['p50']} p95 {lat['p95']} p99 {lat['p99']} s; "
            f"fraction of raw baseline {run.get('fraction_of_baseline')} "
            f"(with as many rows as messages: {run.get('fraction_of_baseline_rows_as_messages')}; "
            f"with the rows by COPY: {run.get('fraction_of_baseline_rows_by_copy')}); "
            f"rows written {run['rows_written']['total']}; peak RSS MB {run['peak_rss_mb']}; "
            f"consumer transactions {run.get('consumer_batches')}; "
            f"CPU s {run['cpu_s']}, servers {run['server_cpu_s']}, of {run['machine_busy_cpu_s']} busy on the machine; "
            f"context switches [voluntary, involuntary] {run.get('ctx_switches')}, "
            f"{run.get('machine_ctx_switches')} on the machine"
        )
    if "baseline" in results:
        b = results["baseline"]
        print(f"raw baseline: {b['messages_per_s']} msg/s ({b['kafka']}, {b['postgres']})")
        print(f"raw baselines, one per repetition: {[m['messages_per_s'] for m in results['baselines']]} msg/s")
    for config, figures in results.get("medians", {}).items():
        if figures["runs"] > 1:
            print(f"median of {figures['runs']} closes, {config}: {figures}")
    for key, value in results.get("scaling", {}).items():
        print(f"scaling ({key}): {value}")
    print(f"load average at the end: {results['load_average_end']}")


if __name__ == "__main__":
    raise SystemExit(main())
