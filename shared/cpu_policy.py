"""The Linux scheduling policy of a worker process (WORKER_CPU_POLICY).

Workers are throughput jobs: a consumer that is preempted mid-batch whenever another process wakes
loses its CPU caches and pays for it in CPU per event. `batch` (SCHED_BATCH) tells the kernel so: a
waking batch thread does not preempt the running one (it waits for the next tick) — PostgreSQL and
the web processes, left at the normal policy, still do. `normal` keeps the kernel's default.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)

POLICIES = ("normal", "batch")


def apply_cpu_policy(policy: str) -> bool:
    """Set `policy` for this process's threads (and the threads they start); False where the
    platform has no such policy (it is a hint: the worker runs either way)."""
    if policy not in POLICIES:
        raise ValueError(f"WORKER_CPU_POLICY must be one of {', '.join(POLICIES)}, not {policy!r}")
    if not hasattr(os, "sched_setscheduler"):
        log.info("CPU policy %s not applied: no sched_setscheduler on this platform", policy)
        return False
    chosen = os.SCHED_BATCH if policy == "batch" else os.SCHED_OTHER
    # Per thread on Linux: every thread that exists now (new ones inherit their creator's).
    for tid in sorted(int(t) for t in os.listdir("/proc/self/task")):
        os.sched_setscheduler(tid, chosen, os.sched_param(0))
    return True
