"""The chart of a benchmark: per run, events consumed per second per service and consumer lag."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import itertools

import matplotlib.pyplot as plt

from bench.monitor import GROUPS, SERVICES


def rates(samples: list[dict[str, Any]], service: str) -> tuple[list[float], list[float]]:
    times, values = [], []
    for before, after in itertools.pairwise(samples):
        dt = after["t"] - before["t"]
        if dt > 0:
            times.append(after["t"])
            values.append((after["consumed"].get(service, 0) - before["consumed"].get(service, 0)) / dt)
    return times, values


# One colour per service in both panels: a group's lag in the colour of the service that consumes it.
COLOURS = dict(zip(SERVICES, ("tab:blue", "tab:orange", "tab:green"), strict=True))


def draw(runs: list[dict[str, Any]], path: Path, title: str) -> Path:
    fig, axes = plt.subplots(len(runs), 2, figsize=(13, 3.6 * len(runs)), squeeze=False)
    for row, run in zip(axes, runs, strict=True):
        samples = run["samples"]
        for service in SERVICES:
            row[0].plot(*rates(samples, service), label=service, color=COLOURS[service])
        row[0].set_title(f"{run['label']}: events consumed per second")
        row[0].set_xlabel("seconds since the close request")
        row[0].legend(loc="upper right")
        for service, group in zip(SERVICES, GROUPS, strict=True):
            ts = [s["t"] for s in samples if group in s.get("lag", {})]
            lag = [sum(s["lag"][group].values()) for s in samples if group in s.get("lag", {})]
            row[1].plot(ts, lag, label=group, color=COLOURS[service])
        row[1].set_title(f"{run['label']}: consumer lag (messages)")
        row[1].set_xlabel("seconds since the close request")
        row[1].legend(loc="upper right")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
