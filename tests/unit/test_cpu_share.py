"""bench/cpu_share.py: N copies of a service weigh as much CPU as one."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.cpu_share import NICE_WEIGHTS, nice_for_share, share_cpu


@pytest.mark.parametrize(("copies", "nice"), [(1, 0), (2, 3), (4, 6), (8, 9), (1000, 19)])
def test_the_nice_whose_weight_is_nearest_one_copys_share(copies: int, nice: int) -> None:
    assert nice_for_share(copies) == nice


def test_four_copies_together_weigh_about_one() -> None:
    assert 4 * NICE_WEIGHTS[nice_for_share(4)] == pytest.approx(NICE_WEIGHTS[0], rel=0.1)


def test_no_copies_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        nice_for_share(0)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_every_copy_and_its_session_group_get_the_share() -> None:
    copies = [
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], start_new_session=True)
        for _ in range(4)
    ]
    try:
        assert share_cpu([p.pid for p in copies]) == 6
        for copy in copies:
            assert os.getpriority(os.PRIO_PROCESS, copy.pid) == 6
            group = Path(f"/proc/{copy.pid}/autogroup")
            if group.exists():  # kernels with autogroup scheduling: "/autogroup-123 nice 6"
                assert group.read_text().split()[-1] == "6"
    finally:
        for copy in copies:
            copy.kill()
            copy.wait()
