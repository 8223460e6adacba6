"""A worker subscribes only once its topics are in the broker's metadata with a leader each."""

from __future__ import annotations

import pytest

from shared.messaging.kafka import wait_until_visible


def topic(name: str, leaders: list[int] | None, error_code: int = 0) -> dict:
    parts = [{"partition_index": i, "leader_id": leader} for i, leader in enumerate(leaders or [])]
    return {"name": name, "error_code": error_code, "partitions": parts}


class Admin:
    """describe_topics answers from a script of metadata states, one per call (the last repeats)."""

    def __init__(self, *states: list[dict]) -> None:
        self.states = list(states)
        self.calls = 0

    def describe_topics(self, topics: list[str]) -> list[dict]:
        self.calls += 1
        state = self.states[min(self.calls, len(self.states)) - 1]
        return [t for t in state if t["name"] in topics]


def test_waits_until_every_topic_has_a_leader_for_each_partition() -> None:
    admin = Admin(
        [topic("a", None, error_code=3), topic("b", [1, 1])],  # a: unknown topic
        [topic("a", [1, -1]), topic("b", [1, 1])],  # a: a partition without a leader yet
        [topic("a", [1, 1]), topic("b", [1, 1])],
    )
    wait_until_visible(admin, ["a", "b"], timeout_s=5, every_s=0)  # type: ignore[arg-type]
    assert admin.calls == 3


def test_returns_at_once_when_the_topics_are_there() -> None:
    admin = Admin([topic("a", [1, 1, 1, 1])])
    wait_until_visible(admin, ["a"], timeout_s=5, every_s=0)  # type: ignore[arg-type]
    assert admin.calls == 1


def test_names_the_topics_still_missing_when_it_gives_up() -> None:
    admin = Admin([topic("a", [1]), topic("b", [], error_code=3)])
    with pytest.raises(TimeoutError, match=r"\['b'\]"):
        wait_until_visible(admin, ["a", "b"], timeout_s=0, every_s=0)  # type: ignore[arg-type]
