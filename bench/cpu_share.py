"""One service's copies on one machine weigh, together, as much CPU as one copy.

On a cluster every copy is a pod with its own CPU request: more copies, more CPU. On one machine
they share its cores with everything else, and Linux divides the CPU between scheduling groups:
with autogroup scheduling (`/proc/sys/kernel/sched_autogroup_enabled`, on by default) every session
is a group, and every process the local stack starts leads a session of its own — so four copies
of the evaluation worker weighed four times as much as rewards or notifications, took their CPU
while evaluation ran ahead, and the close ended later. A process's own nice value does not help
there: it only orders the processes within their group.

`share_cpu` gives each of N copies the nice value whose scheduler weight is closest to 1/N of a
normal process, on its session's group when it leads one, else on the process.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

# The kernel's CFS weight per nice value 0..19 (kernel/sched/core.c, sched_prio_to_weight).
NICE_WEIGHTS = (1024, 820, 655, 526, 423, 335, 272, 215, 172, 137, 110, 87, 70, 56, 45, 36, 29, 23, 18, 15)


def nice_for_share(copies: int) -> int:
    """The nice value whose weight is closest to 1/copies of nice 0's."""
    if copies < 1:
        raise ValueError(f"copies must be at least 1, not {copies}")
    target = NICE_WEIGHTS[0] / copies
    return min(range(len(NICE_WEIGHTS)), key=lambda nice: abs(NICE_WEIGHTS[nice] - target))


def share_cpu(pids: Sequence[int]) -> int:
    """Lower every copy's weight to its 1/len(pids) share; returns the nice value used."""
    nice = nice_for_share(len(pids))
    for pid in pids:
        # Per thread on Linux: every thread now (threads started later inherit it).
        for tid in _threads(pid):
            with contextlib.suppress(ProcessLookupError):
                os.setpriority(os.PRIO_PROCESS, tid, nice)
        if os.getsid(pid) == pid:  # its own session: its own group, alone in it
            with contextlib.suppress(OSError):  # no autogroup support: the process nice is all there is
                Path(f"/proc/{pid}/autogroup").write_text(str(nice))
    return nice


def _threads(pid: int) -> list[int]:
    try:
        return sorted(int(tid) for tid in os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return [pid]
