"""How a worker process sets up CPython's garbage collector once it has started.

A consumer batch allocates hundreds of thousands of short-lived objects: envelopes, payload dicts,
SQL parameters and result rows. With CPython's default thresholds (700, 10, 10), a 200-event
evaluation batch ran about 17 young-generation collections. Every few batches a full collection
walked the whole heap, including what the process built at start-up and keeps for its life: the
imported modules, SQLAlchemy's tables and compiled statements, and the event catalog. Measured on
the year-end's evaluation consumer (2,000-event runs in fresh processes on copies of the loaded
city), the collector took about a tenth of the consumer's CPU. Freezing plus the thresholds below
recovered most of it: 1.47 → 1.33 CPU-s. With the collector off the same runs took 1.30.
Every worker copy carries that same start-up heap, so the walks also made each extra copy dearer;
with it frozen, an extra evaluation copy's cost in a close fell from about +1.5 to +0.6 CPU-s
(docs/scaling.md, fix 24).

So, once the worker is built:
- `gc.freeze()` moves everything alive at that moment to a permanent generation that no
  collection traverses (what the CPython documentation recommends for long-lived state built at
  start-up);
- the young generation's threshold is raised, so collections come in larger, fewer steps.
  Cyclic garbage is still collected; only the steps are larger, and a step's garbage is bounded by
  the threshold (tens of thousands of objects, a few MB).

`WORKER_GC_THRESHOLDS` sets the three thresholds ("50000,20,100", the default), or `python` keeps
CPython's own and freezes nothing.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)

WORKER_THRESHOLDS = (50_000, 20, 100)
KEEP_PYTHON_DEFAULTS = "python"


def parse_thresholds(raw: str | None) -> tuple[int, int, int] | None:
    """Thresholds from `WORKER_GC_THRESHOLDS`: None for CPython's own, the worker's when unset."""
    if raw is None or not raw.strip():
        return WORKER_THRESHOLDS
    if raw.strip().lower() == KEEP_PYTHON_DEFAULTS:
        return None
    refused = f"WORKER_GC_THRESHOLDS must be three integers, the first at least 1, or {KEEP_PYTHON_DEFAULTS!r}"
    try:
        values = tuple(int(part.strip()) for part in raw.split(","))
    except ValueError as exc:
        raise ValueError(f"{refused}, got {raw!r}") from exc
    if len(values) != 3 or values[0] < 1 or min(values) < 0:
        raise ValueError(f"{refused}, got {raw!r}")
    return values[0], values[1], values[2]


def settle_worker_heap(thresholds: tuple[int, int, int] | None) -> None:
    """Freeze what start-up built and apply `thresholds` (None: leave the collector as CPython set it)."""
    if thresholds is None:
        return
    gc.collect()  # start-up's own garbage must not be frozen with the rest
    gc.freeze()
    gc.set_threshold(*thresholds)
    log.info("gc: %d start-up objects frozen, thresholds %s", gc.get_freeze_count(), thresholds)
