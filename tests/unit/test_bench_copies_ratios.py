"""`bench.copies_ratios`: which sets it keeps, each set's 1-vs-N ratios, and the pooled figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.copies_ratios import main, pooled, set_ratios

COPIES = {"rewards": 1, "notifications": 2}


def results(walls: dict[int, list[float]], **first: Any) -> dict[str, Any]:
    runs = [
        {"evaluation_workers": n, "wall_s": wall, "worker_copies": {**COPIES, "evaluation": n}}
        for n, theirs in walls.items()
        for wall in theirs
    ]
    runs[0].update(first)
    return {"runs": runs}


def test_a_set_s_ratios_are_the_one_copy_median_wall_over_each_n_copies_one() -> None:
    got = set_ratios(results({1: [20.0, 24.0], 2: [21.0, 23.0], 4: [20.0, 28.0]}), COPIES, (1, 2, 4))
    assert got == {2: pytest.approx(22 / 22), 4: pytest.approx(22 / 24)}


@pytest.mark.parametrize(
    ("walls", "first"),
    [
        ({1: [20.0], 2: [21.0]}, {}),  # four copies missing
        ({1: [20.0], 2: [21.0], 4: [22.0]}, {"worker_copies": {"rewards": 2, "notifications": 2}}),
        ({1: [20.0], 2: [21.0], 4: [22.0]}, {"copies_share_cpu": False}),
        ({1: [20.0], 2: [21.0], 4: [22.0]}, {"stage": "evaluation"}),
    ],
)
def test_sets_run_another_way_are_left_out(walls: dict[int, list[float]], first: dict[str, Any]) -> None:
    assert set_ratios(results(walls, **first), COPIES, (1, 2, 4)) is None
    assert set_ratios({"runs": []}, COPIES, (1, 2, 4)) is None


def test_files_before_copies_were_recorded_count_as_one_copy_of_each_service() -> None:
    old = results({1: [20.0], 4: [25.0]})
    for run in old["runs"]:
        del run["worker_copies"]
    assert set_ratios(old, {"rewards": 1, "notifications": 1}, (1, 4)) == {4: pytest.approx(0.8)}
    assert set_ratios(old, COPIES, (1, 4)) is None


def test_pooled_figures_per_copy_count() -> None:
    got = pooled([{2: 1.1, 4: 0.9}, {2: 0.95, 4: 0.8}, {2: 1.0, 4: 1.05}])
    assert got == {
        2: {"sets": 3, "median": 1.0, "mean": pytest.approx(1.017, abs=1e-3), "below_1": 1},
        4: {"sets": 3, "median": 0.9, "mean": pytest.approx(0.917, abs=1e-3), "below_1": 2},
    }


def test_the_command_prints_each_kept_set_and_the_pooled_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "20261208T010000.json").write_text(json.dumps(results({1: [20.0], 2: [25.0], 4: [16.0]})))
    (tmp_path / "20261208T020000.json").write_text(json.dumps(results({1: [20.0], 2: [20.0], 4: [20.0]})))
    (tmp_path / "20261207T000000.json").write_text(json.dumps(results({1: [10.0], 2: [20.0], 4: [40.0]})))
    main([str(p) for p in tmp_path.iterdir()] + ["--since", "20261208T000000"])
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == ["20261208T010000 1/2 0.800  1/4 1.250", "20261208T020000 1/2 1.000  1/4 1.000"]
    assert out[2] == "1 against 2 copies over 2 sets: median 0.9, mean 0.9, 1 below 1"
    assert out[3] == "1 against 4 copies over 2 sets: median 1.125, mean 1.125, 0 below 1"
