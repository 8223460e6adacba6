"""More evaluation copies, over many sets: each set's 1-vs-N ratio of median walls, then pooled.

One set (`python -m bench.year_end --workers 1,2,4 --repeat 2`) gives a 1-vs-N ratio per copy
count; one close varies by ±15% on the development machine, and the median ratio of one hour's
sets swung between 0.93 and 1.05 across sessions of the same code. This reads many results files,
keeps the sets run the same way (every copy count of `--workers`, the other services' copies as
given, copies sharing their service's CPU, the whole close measured), and prints each set's ratios
and, per copy count, their median, mean and how many sets were below 1. Not a test.

    python -m bench.copies_ratios bench/results/2026120*.json [--since 20261207T195343]
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def set_ratios(results: dict[str, Any], copies: dict[str, int], workers: tuple[int, ...]) -> dict[int, float] | None:
    """The set's ratio of the one-copy median wall to the N-copy one, per N of `workers` but the
    first (above 1: N copies closed faster); None when the set was not run as asked."""
    runs = results.get("runs") or []
    if not runs:
        return None
    first = runs[0]
    given = first.get("worker_copies") or {}
    if any(given.get(service, 1) != count for service, count in copies.items()):
        return None
    if not first.get("copies_share_cpu", True) or first.get("stage", "close") != "close":
        return None
    walls: dict[int, list[float]] = {}
    for run in runs:
        walls.setdefault(run["evaluation_workers"], []).append(run["wall_s"])
    if set(walls) != set(workers):
        return None
    one = statistics.median(walls[workers[0]])
    return {n: one / statistics.median(walls[n]) for n in workers[1:]}


def pooled(ratios: Iterable[dict[int, float]]) -> dict[int, dict[str, float]]:
    """Per copy count: sets, median and mean ratio, and sets below 1."""
    by_count: dict[int, list[float]] = {}
    for ratio in ratios:
        for n, value in ratio.items():
            by_count.setdefault(n, []).append(value)
    return {
        n: {
            "sets": len(values),
            "median": round(statistics.median(values), 3),
            "mean": round(statistics.fmean(values), 3),
            "below_1": sum(value < 1 for value in values),
        }
        for n, values in sorted(by_count.items())
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("files", nargs="+", type=Path, help="results files (bench/results/<stamp>.json)")
    parser.add_argument("--workers", default="1,2,4", help="the evaluation copies each set ran (default 1,2,4)")
    parser.add_argument("--rewards", type=int, default=1, help="rewards' copies in the sets kept (default 1)")
    parser.add_argument("--notifications", type=int, default=2, help="notifications' copies (default 2)")
    parser.add_argument("--since", default="", help="only results files stamped at or after this one")
    args = parser.parse_args(argv)
    workers = tuple(int(n) for n in args.workers.split(","))
    copies = {"rewards": args.rewards, "notifications": args.notifications}
    kept: list[dict[int, float]] = []
    for path in sorted(args.files):
        if path.stem < args.since:
            continue
        ratios = set_ratios(json.loads(path.read_text()), copies, workers)
        if ratios is not None:
            kept.append(ratios)
            print(path.stem, "  ".join(f"1/{n} {value:.3f}" for n, value in ratios.items()))
    for n, figures in pooled(kept).items():
        print(
            f"1 against {n} copies over {figures['sets']} sets: median {figures['median']}, mean {figures['mean']}, "
            f"{figures['below_1']} below 1"
        )


if __name__ == "__main__":
    main()
