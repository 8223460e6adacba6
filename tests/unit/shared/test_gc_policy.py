"""The worker's garbage-collector policy: what WORKER_GC_THRESHOLDS accepts, and what a worker
process ends up with (checked in a child process: freezing the test runner's heap would leak
into every later test)."""

import json
import subprocess
import sys

import pytest

from shared.config import Settings
from shared.gc_policy import WORKER_THRESHOLDS, parse_thresholds


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_unset_means_the_worker_thresholds(raw):
    assert parse_thresholds(raw) == WORKER_THRESHOLDS


@pytest.mark.parametrize("raw", ["python", " Python "])
def test_python_keeps_cpythons_collector(raw):
    assert parse_thresholds(raw) is None


def test_three_integers_are_taken_as_given():
    assert parse_thresholds("10000, 10, 10") == (10000, 10, 10)


@pytest.mark.parametrize("raw", ["50000,20", "a,b,c", "0,10,10", "700,-1,10", "1,2,3,4"])
def test_anything_else_is_refused_with_the_variable_named(raw):
    with pytest.raises(ValueError, match="WORKER_GC_THRESHOLDS"):
        parse_thresholds(raw)


def test_settings_read_the_variable(monkeypatch):
    monkeypatch.setenv("WORKER_GC_THRESHOLDS", "2000,5,5")
    assert Settings.from_env("evaluation").worker_gc_thresholds == (2000, 5, 5)
    monkeypatch.setenv("WORKER_GC_THRESHOLDS", "python")
    assert Settings.from_env("evaluation").worker_gc_thresholds is None
    monkeypatch.delenv("WORKER_GC_THRESHOLDS")
    assert Settings.from_env("evaluation").worker_gc_thresholds == WORKER_THRESHOLDS


CHILD = """
import gc, json, sys
from shared.gc_policy import settle_worker_heap
import sqlalchemy  # something start-up built, to be frozen
before = {"thresholds": gc.get_threshold(), "frozen": gc.get_freeze_count()}
settle_worker_heap(json.loads(sys.argv[1]))
after = {"thresholds": gc.get_threshold(), "frozen": gc.get_freeze_count()}
print(json.dumps({"before": before, "after": after}))
"""


def _settle_in_child(thresholds):
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(thresholds)], capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(done.stdout)


def test_a_settled_worker_has_frozen_its_start_up_and_raised_the_thresholds():
    seen = _settle_in_child(list(WORKER_THRESHOLDS))
    assert seen["before"]["frozen"] == 0
    assert seen["after"]["frozen"] > 10_000  # the interpreter's and sqlalchemy's objects
    assert tuple(seen["after"]["thresholds"]) == WORKER_THRESHOLDS
    assert tuple(seen["before"]["thresholds"]) != WORKER_THRESHOLDS


def test_python_defaults_leave_the_collector_alone():
    seen = _settle_in_child(None)
    assert seen["after"] == seen["before"]
