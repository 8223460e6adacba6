"""A results file as a Markdown table (for docs/scaling.md): `python -m bench.summarise RESULTS.json`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.monitor import SERVICES


def cpu_column(run: dict) -> str:
    """CPU seconds of each service's worker copies, of the whole machine's busy CPU seconds."""
    cpu = run.get("cpu_s")
    if not cpu:
        return "—"
    per = {s: sum(v for k, v in cpu.items() if k.startswith(f"{s}-worker")) for s in SERVICES}
    workers = " / ".join(f"{per[s]:.0f}" for s in SERVICES)
    servers = run.get("server_cpu_s") or {}
    beside = "".join(f", {name} {seconds:.0f}" for name, seconds in servers.items())
    return f"{workers}{beside} of {run['machine_busy_cpu_s']:.0f}"


def copies_line(run: dict) -> str:
    """Worker copies of rewards and notifications (evaluation's are per run), and how they shared CPU."""
    copies = run.get("worker_copies")
    if copies is None:  # results files before 2026-12-07: one copy each, full weight per copy
        return "Rewards and notifications: one worker copy each."
    others = ", ".join(f"{s} {copies[s]}" for s in ("rewards", "notifications"))
    nice = run.get("copies_nice") or {}
    sharing = f"copies share their service's CPU (nice {nice})" if nice else "every copy at full CPU weight"
    return f"Worker copies of {others}; {sharing}."


def table(results: dict) -> str:
    loading = results["loading"]
    loaded = f"reused from run {loading['reused']}" if "reused" in loading else loading.get("timings")
    lines = [
        f"{results['employees']} employees, {results['units']} units; loading (not the year-end): {loaded}",
        copies_line(results["runs"][0]),
        "",
        "| run | wall s | drained s | evaluations done s | evaluation / rewards / notifications events/s (busy) "
        "| completed→notice p50 / p95 / p99 s | of raw baseline (rows as messages) | rows written "
        "| max lag eval / rewards / notif "
        "| CPU s eval / rewards / notif workers, servers, of machine busy |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in results["runs"]:
        rate = run["events_per_s_active"]
        lat = run["latency_completed_to_notice_s"]
        lag = run["max_lag"]
        lines.append(
            f"| {run['label']} | {run['wall_s']} | {run.get('drained_s')} | {run['evaluations_done_s']} "
            f"| {rate['evaluation']} / {rate['rewards']} / {rate['notifications']} "
            f"| {lat['p50']} / {lat['p95']} / {lat['p99']} "
            f"| {run.get('fraction_of_baseline')} ({run.get('fraction_of_baseline_rows_as_messages', '—')}) "
            f"| {run.get('rows_written', {}).get('total', '—')} "
            f"| {lag['kinerja-evaluation']} / {lag['kinerja-rewards']} / {lag['kinerja-notifications']} "
            f"| {cpu_column(run)} |"
        )
    if "baseline" in results:
        b = results["baseline"]
        lines += [
            "",
            f"Raw baseline: {b['messages_per_s']} msg/s — kafka-python produce {b['kafka']['produce_per_s']}/s, "
            f"consume {b['kafka']['consume_per_s']}/s ({b['kafka']['messages']} messages of "
            f"{b['kafka']['bytes_each']} bytes); PostgreSQL {b['postgres']['rows_per_s']} rows/s "
            f"({b['postgres']['rows']} rows of {b['postgres'].get('bytes_each', '?')} bytes)"
            + (
                f"; as many rows as messages: {b['rows_as_messages']['messages_per_s']} msg/s"
                if "rows_as_messages" in b
                else ""
            )
            + (
                f"; the rows by COPY: {b['rows_by_copy']['messages_per_s']} msg/s "
                f"(PostgreSQL {b['rows_by_copy']['postgres']['rows_per_s']} rows/s)"
                if "rows_by_copy" in b
                else ""
            )
            + ".",
        ]
    repeated = {c: f for c, f in results.get("medians", {}).items() if f["runs"] > 1}
    if repeated:
        lines += [
            "",
            "| configuration | closes | wall s, median (range) | drained s | evaluations done s "
            "| of raw baseline (rows by COPY) | machine busy CPU s |",
            "|---|---|---|---|---|---|---|",
        ]
        for config, f in repeated.items():
            lines.append(
                f"| {config} | {f['runs']} | {f['wall_s']} ({f['wall_s_range'][0]}–{f['wall_s_range'][1]}) "
                f"| {f['drained_s']} | {f['evaluations_done_s']} | {f.get('fraction_of_baseline', '—')} "
                f"({f.get('fraction_of_baseline_rows_by_copy', '—')}) | {f['machine_busy_cpu_s']} |"
            )
        lines.append("")
    for key, value in results.get("scaling", {}).items():
        lines.append(f"Scaling ({key}): {value}")
    if "warm_up" in results:
        warm = results["warm_up"]
        lines.append(f"Warm-up close (discarded): wall {warm['wall_s']} s, CPU s {cpu_column(warm)}")
    peak = max(results["runs"], key=lambda r: max(r["peak_rss_mb"].values()))["peak_rss_mb"]
    lines.append(f"Peak RSS (MB, web = gunicorn master + worker): {peak}")
    lines.append(f"Load average at the end: {results['load_average_end']}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(json.loads(Path(sys.argv[1]).read_text())))
