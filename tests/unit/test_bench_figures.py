"""The year-end benchmark's summary figures: medians per configuration and the 1-vs-N ratio."""

from __future__ import annotations

import argparse
import http.server
import threading
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from bench.infra import dirty_mb, flush_dirty_pages, free_ports, wait_quiet
from bench.monitor import consumer_batches
from bench.year_end import add_fractions, medians, scaling, worker_copies


def run(config_workers: int, wall: float, rate: float, *, batch: int = 200) -> dict:
    return {
        "config": f"batch {batch}, {config_workers} workers",
        "consumer_batch_size": batch,
        "evaluation_workers": config_workers,
        "wall_s": wall,
        "drained_s": wall + 1,
        "evaluations_done_s": wall / 2,
        "machine_busy_cpu_s": wall * 2,
        "events_per_s_active": {"evaluation": rate},
    }


# Interleaved as the benchmark runs them: 1, 4 | 4, 1 | 1, 4
RUNS = [
    run(1, 50.0, 250),
    run(4, 60.0, 500),
    run(4, 48.0, 480),
    run(1, 52.0, 260),
    run(1, 70.0, 200),
    run(4, 49.0, 510),
]


def test_medians_per_configuration_with_their_range() -> None:
    figures = medians(RUNS)
    assert figures["batch 200, 1 workers"]["runs"] == 3
    assert figures["batch 200, 1 workers"]["wall_s"] == 52.0  # not the mean (57.3): one slow close does not count
    assert figures["batch 200, 1 workers"]["wall_s_range"] == [50.0, 70.0]
    assert figures["batch 200, 4 workers"]["wall_s"] == 49.0
    assert figures["batch 200, 4 workers"]["evaluation_events_per_s_active"] == 500


def test_scaling_compares_medians_and_lists_each_repetition() -> None:
    ratio = scaling(RUNS, 200, 1, 4)
    assert ratio["wall_ratio_1_over_n"] == round(52.0 / 49.0, 2)
    assert ratio["wall_ratio_1_over_n_each"] == [round(50 / 60, 2), round(52 / 48, 2), round(70 / 49, 2)]
    assert ratio["evaluation_rate_ratio_n_over_1"] == 2.0


def test_worker_copies_name_rewards_and_notifications_the_rest_keep_the_default() -> None:
    assert worker_copies("notifications=2") == {"rewards": 1, "notifications": 2}
    assert worker_copies("rewards=3, notifications=2") == {"rewards": 3, "notifications": 2}


@pytest.mark.parametrize("spec", ["evaluation=2", "notifications=0", "notifications=two", "rewards"])
def test_worker_copies_refuse_what_they_cannot_start(spec: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="rewards=N or notifications=N"):
        worker_copies(spec)


def test_a_run_is_compared_with_the_baseline_measured_beside_it() -> None:
    closed = {"events_consumed": {"evaluation": 10_000, "rewards": 10_000, "notifications": 46_000}, "drained_s": 50.0}
    add_fractions(
        closed,
        {
            "messages_per_s": 4_400.0,
            "rows_as_messages": {"messages_per_s": 8_800.0},
            "rows_by_copy": {"messages_per_s": 6_600.0},
        },
    )
    assert closed["fraction_of_baseline"] == 0.3  # 66,000 events / 50 s = 1,320/s of 4,400/s
    assert closed["fraction_of_baseline_rows_as_messages"] == 0.15
    assert closed["fraction_of_baseline_rows_by_copy"] == 0.2
    assert closed["baseline_messages_per_s"] == 4_400.0


def test_scaling_compares_runs_of_the_same_cpu_sharing_only() -> None:
    unshared = [{**run(4, 40.0, 600), "copies_share_cpu": False}, {**run(1, 50.0, 250), "copies_share_cpu": False}]
    shared = scaling(RUNS + unshared, 200, 1, 4)
    assert shared == scaling(RUNS, 200, 1, 4)
    assert scaling(RUNS + unshared, 200, 1, 4, share=False)["wall_ratio_1_over_n"] == 1.25


EXPOSITION = b"""# HELP kinerja_consumer_batch_events Records a consumer brought to their outcomes in one transaction.
# TYPE kinerja_consumer_batch_events histogram
kinerja_consumer_batch_events_bucket{consumer="kinerja-rewards",le="200.0"} 3.0
kinerja_consumer_batch_events_bucket{consumer="kinerja-rewards",le="+Inf"} 3.0
kinerja_consumer_batch_events_count{consumer="kinerja-rewards"} 3.0
kinerja_consumer_batch_events_sum{consumer="kinerja-rewards"} 450.0
"""


def test_consumer_batches_sum_a_services_copies_and_skip_a_copy_without_metrics() -> None:
    class Metrics(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(EXPOSITION)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Metrics)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        [closed] = free_ports(1)
        batches = consumer_batches({"rewards-worker": port, "rewards-worker2": port, "rewards-worker3": closed})
    finally:
        server.shutdown()
    assert batches == {"rewards": {"transactions": 6.0, "mean_events": 150.0}}


class _Times(NamedTuple):
    user: float
    system: float
    idle: float
    iowait: float


def _cpu_clock(busy_shares: list[float]) -> Callable[[], _Times]:
    """cpu_times() of a 2-CPU machine whose every 2 s window is as busy as the next share given."""
    now = [_Times(0.0, 0.0, 0.0, 0.0)]
    shares = iter([0.0, *busy_shares])  # the first reading is the starting point

    def read() -> _Times:
        share = next(shares)
        last = now[0]
        now[0] = _Times(last.user + 4 * share, last.system, last.idle + 4 * (1 - share), last.iowait)
        return now[0]

    return read


def test_wait_quiet_waits_for_a_quiet_window() -> None:
    slept: list[float] = []
    waited, busy = wait_quiet(
        max_busy=0.2, window_s=2.0, timeout_s=60, cpu_times=_cpu_clock([0.9, 0.5, 0.1]), sleep=slept.append
    )
    assert (waited, busy) == (6.0, 0.1)
    assert slept == [2.0, 2.0, 2.0]


def test_wait_quiet_gives_up_at_the_timeout_and_says_how_busy() -> None:
    waited, busy = wait_quiet(
        max_busy=0.2, window_s=2.0, timeout_s=6, cpu_times=_cpu_clock([0.9, 0.8, 0.7, 0.1]), sleep=lambda _: None
    )
    assert (waited, busy) == (6.0, 0.7)


def test_dirty_mb_adds_dirty_and_writeback(tmp_path: Path) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       24000000 kB\nDirty:            149340 kB\nWriteback:         1024 kB\n")
    assert dirty_mb(meminfo) == 146.8
    assert dirty_mb(tmp_path / "absent") is None


def test_flush_dirty_pages_syncs_and_reports_what_was_dirty() -> None:
    synced: list[bool] = []
    flushed = flush_dirty_pages(sync=lambda: synced.append(True), dirty=lambda: 512.0)
    assert synced == [True]
    assert flushed["dirty_mb_before"] == 512.0
    assert flushed["sync_s"] >= 0
