"""The worker's relay thread looks after the planner's statistics between passes, and a failure to do
so never stops the relay."""

from __future__ import annotations

from typing import Any

from shared.config import Settings
from shared.messaging.worker import Worker


class Relay:
    def __init__(self, worker_box: list[Worker], passes: int) -> None:
        self.worker_box = worker_box
        self.passes = passes
        self.published = 0
        self.closed = False

    def publish_pending(self) -> int:
        self.published += 1
        return 0

    def observe(self) -> None:
        pass

    def wait_for_rows(self) -> None:
        if self.published >= self.passes:
            self.worker_box[0].stop_event.set()

    def close(self) -> None:
        self.closed = True


class Keeper:
    def __init__(self) -> None:
        self.looks = 0

    def look(self) -> list[str]:
        self.looks += 1
        if self.looks == 1:
            raise ConnectionError("database away")
        return []


def test_the_relay_loop_looks_after_statistics_every_pass_and_survives_a_failure() -> None:
    box: list[Worker] = []
    relay, keeper = Relay(box, passes=3), Keeper()
    producer: Any = object()
    worker = Worker(Settings.from_env("stub"), relay, producer, None, (), (), statistics=keeper)  # type: ignore[arg-type]
    box.append(worker)

    worker._relay_loop()

    assert relay.published == 3
    assert keeper.looks == 3  # the first look failed; the relay went on
    assert relay.closed
