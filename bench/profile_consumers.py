"""Profile the year-end's consumers in one process, without Kafka: where does a consumer's time go?

On copies of loaded databases (`python -m bench.year_end --keep-databases` leaves
bench_<stamp>_<service>), this requests the close in evaluation, then feeds the `evaluation.requested`
work items to evaluation's consumer (the real IdempotentConsumer and handlers, batch size as given),
then evaluation's new events to rewards' consumer, then both services' new events to notifications'
consumer — each under cProfile — and prints the per-event time and the top functions.

    python -m bench.profile_consumers --evaluation-db URL --rewards-db URL --notifications-db URL [--batch 200]

cProfile inflates many small calls (marshmallow's fields) several times over; `--top 0` runs
without it, for real per-event times or under a sampling profiler:
`py-spy record --format raw -o stacks.txt -- python -m bench.profile_consumers ... --top 0`.
The garbage collector is set up as in a worker (`WORKER_GC_THRESHOLDS`; `python` for CPython's own).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import pstats
import time
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import text

from shared.auth import Principal
from shared.config import Settings
from shared.gc_policy import settle_worker_heap
from shared.messaging.consumer import IdempotentConsumer


@dataclass
class Rec:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]] | None = None


class NoDlq:
    def send(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"unexpected dead-letter: {kwargs.get('headers')}")


def runtime_for(service: str, url: str) -> Any:
    module = importlib.import_module(f"services.{service}.bootstrap")
    runtime = module.create_runtime(replace(Settings.from_env(service), database_url=url))
    return runtime, module.event_handlers(runtime)


def outbox_since(runtime: Any, after_id: int) -> tuple[list[Rec], int]:
    with runtime.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, topic, message_key, value FROM outbox WHERE id > :i ORDER BY id"), {"i": after_id}
        ).all()
    records = [Rec(r.topic, 0, r.id, r.message_key.encode(), r.value.encode()) for r in rows]
    return records, max((r.id for r in rows), default=after_id)


def max_outbox(runtime: Any) -> int:
    with runtime.engine.connect() as conn:
        return int(conn.execute(text("SELECT coalesce(max(id), 0) FROM outbox")).scalar_one())


def consume(service: str, runtime: Any, handlers: Any, records: list[Rec], batch: int, top: int) -> None:
    consumer = IdempotentConsumer(
        name=f"kinerja-{service}",
        catalog=runtime.catalog,
        handlers=handlers,
        uow_factory=runtime.uow,
        dlq_producer=NoDlq(),  # type: ignore[arg-type]
        batch_size=batch,
    )
    profiler = cProfile.Profile() if top > 0 else None  # --top 0: real time, or under py-spy
    started, cpu_started = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    statuses: dict[str, int] = {}
    for start in range(0, len(records), batch):
        chunk = records[start : start + batch]
        outcomes = consumer.handle_batch(chunk) if batch > 1 else [consumer.handle(r) for r in chunk]
        for outcome in outcomes:
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    if profiler is not None:
        profiler.disable()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    each = 1000 / max(1, len(records))
    # CPU: this process only (the handlers, marshmallow, SQLAlchemy, psycopg); the rest of the time
    # is the database's work and the round trips to it.
    print(f"\n=== {service}: {len(records)} events in {elapsed:.2f} s "
          f"({elapsed * each:.2f} ms/event, of it {cpu * each:.2f} ms CPU here; batch {batch}) {statuses}")  # fmt: skip
    if profiler is None:
        return
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    print("\n".join(line[:160] for line in out.getvalue().splitlines()[6:]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evaluation-db", required=True)
    parser.add_argument("--rewards-db", required=True)
    parser.add_argument("--notifications-db", required=True)
    parser.add_argument("--tenant", default="1671")
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--top", type=int, default=40, help="functions to list; 0: no cProfile (its overhead)")
    args = parser.parse_args(argv)
    from services.evaluation.service_layer import period_close

    evaluation, eval_handlers = runtime_for("evaluation", args.evaluation_db)
    rewards, rewards_handlers = runtime_for("rewards", args.rewards_db)
    notifications, notif_handlers = runtime_for("notifications", args.notifications_db)
    settle_worker_heap(Settings.from_env("evaluation").worker_gc_thresholds)  # as a worker process does
    admin = Principal("196805101994031002", frozenset({"admin_instansi"}), args.tenant, "Admin")
    mark = max_outbox(evaluation)
    started = time.perf_counter()
    period_close.request_close(evaluation.uow(), admin, args.year, "annual", None)
    print(f"close request: {time.perf_counter() - started:.2f} s")
    work, mark = outbox_since(evaluation, mark)
    consume("evaluation", evaluation, eval_handlers, work, args.batch, args.top)
    evaluated, _ = outbox_since(evaluation, mark)
    rewards_mark = max_outbox(rewards)
    consume("rewards", rewards, rewards_handlers, evaluated, args.batch, args.top)
    rewarded, _ = outbox_since(rewards, rewards_mark)
    consume("notifications", notifications, notif_handlers, evaluated + rewarded, args.batch, args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
