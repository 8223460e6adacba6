"""What a consumer pays to read each event type: whole, and as the service's handler reads it.

Reads the events a service's outbox holds and times, per
event type, `Envelope.from_json` plus `EventCatalog.read` of the whole payload against the same with
the fields the consuming service's handlers name (`reads`; see shared/messaging/consumer.py). Best
of three passes, CPU time of this process.

    python -m bench.read_cost --reader notifications --outbox-db URL [--outbox-db URL ...]

The outbox must still hold the events: a running system's relays delete what they have sent, so
use databases `bench.profile_consumers` closed (it feeds the consumers directly and runs no relay).
"""

from __future__ import annotations

import argparse
import importlib
import time
from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import create_engine, text

from shared.contracts import CATALOG
from shared.events import Envelope
from shared.messaging.consumer import reads_of


def outbox_values(url: str, limit: int) -> list[bytes]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT value FROM outbox ORDER BY id DESC LIMIT :n"), {"n": limit}).scalars()
        values = [value.encode() for value in rows]
    engine.dispose()
    return values


def best_cpu_s(read: Callable[[bytes], Envelope], values: list[bytes], passes: int = 3) -> float:
    best = float("inf")
    for _ in range(passes):
        started = time.process_time()
        for value in values:
            read(value)
        best = min(best, time.process_time() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reader", required=True, choices=("evaluation", "rewards", "notifications"))
    parser.add_argument("--outbox-db", action="append", required=True, help="a service database to read events from")
    parser.add_argument("--limit", type=int, default=60_000, help="newest outbox rows per database")
    args = parser.parse_args(argv)
    bootstrap = importlib.import_module(f"services.{args.reader}.bootstrap")
    handlers = bootstrap.event_handlers(bootstrap.create_runtime())
    reads = reads_of(CATALOG, handlers)
    by_type: dict[str, list[bytes]] = defaultdict(list)
    for url in args.outbox_db:
        for value in outbox_values(url, args.limit):
            event_type = Envelope.from_json(value).event_type
            if event_type in handlers:
                by_type[event_type].append(value)
    totals = [0.0, 0.0]
    print(f"| event type | events | whole µs | as {args.reader} reads it µs | fields read |")
    print("|---|---|---|---|---|")
    for event_type, values in sorted(by_type.items(), key=lambda item: -len(item[1])):
        named = reads.get(event_type)
        whole = best_cpu_s(lambda v: CATALOG.read(Envelope.from_json(v)), values)
        partly = best_cpu_s(lambda v, named=named: CATALOG.read(Envelope.from_json(v), named), values)
        totals[0] += whole
        totals[1] += partly
        shown = "all" if named is None else len(named)
        each = 1e6 / len(values)
        print(f"| {event_type} | {len(values)} | {whole * each:.0f} | {partly * each:.0f} | {shown} |")
    print(f"\nCPU s for all of them: whole {totals[0]:.2f}, as read {totals[1]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
