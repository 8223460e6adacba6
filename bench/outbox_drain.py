"""What the outbox relay's bookkeeping costs PostgreSQL: marking sent rows published, or deleting them.

Fills a scratch database's outbox with `--rows` rows of `--value-bytes` (inserts of 200, as a
consumer batch writes them), then drains it the way a relay does — select the next `--batch` rows
in id order, then mark or delete them, one transaction per batch — and prints the seconds spent
selecting and writing, per row. `mark` is the relay before eventing v2 (`UPDATE … SET published_at`,
with the index on unpublished rows it needed), `delete` the relay now. With `--history N` the table
first holds N published rows and is analysed, as a long-running outbox was; without it the
statistics are a fresh table's.

    python -m bench.outbox_drain --database-url postgresql+psycopg://admin@host/postgres \\
        [--rows 87000] [--value-bytes 1050] [--history 38000] [--modes mark,delete]
"""

from __future__ import annotations

import argparse
import time
import uuid
from datetime import UTC, datetime

from sqlalchemy import Engine, MetaData, Table, create_engine, delete, func, insert, select, text, update

from bench.infra import Databases
from shared.storage.in_values import in_values
from shared.storage.tables import add_eventing_tables

FILL_BATCH = 200


def fill(engine: Engine, outbox: Table, rows: int, value: str, published: bool) -> None:
    now = datetime.now(UTC)
    for start in range(0, rows, FILL_BATCH):
        chunk = [
            {
                "event_id": str(uuid.uuid4()),
                "topic": "kinerja.evaluation.events",
                "message_key": "198503302010011002",
                "event_type": "evaluation.completed",
                "value": value,
                "created_at": now,
                "published_at": now if published else None,
            }
            for _ in range(min(FILL_BATCH, rows - start))
        ]
        with engine.begin() as conn:
            conn.execute(insert(outbox), chunk)


def drain(engine: Engine, outbox: Table, mode: str, batch: int) -> tuple[int, float, float]:
    """(rows drained, seconds selecting, seconds writing)."""
    drained, selecting, writing = 0, 0.0, 0.0
    while True:
        with engine.begin() as conn:
            started = time.perf_counter()
            query = select(outbox.c.id).order_by(outbox.c.id).limit(batch)
            if mode == "mark":
                query = query.where(outbox.c.published_at.is_(None))
            ids = conn.execute(query).scalars().all()
            selected = time.perf_counter()
            selecting += selected - started
            if not ids:
                return drained, selecting, writing
            chosen = in_values(conn, outbox.c.id, ids)
            if mode == "mark":
                conn.execute(update(outbox).where(chosen).values(published_at=func.now()))
            else:
                conn.execute(delete(outbox).where(chosen))
            writing += time.perf_counter() - selected
            drained += len(ids)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="an admin URL allowed to CREATE DATABASE")
    parser.add_argument("--rows", type=int, default=87_000, help="rows to drain (a 10,000 close relays ~87,000)")
    parser.add_argument("--value-bytes", type=int, default=1050, help="size of each event (the close's mean)")
    parser.add_argument("--history", type=int, default=0, help="published rows already in the outbox")
    parser.add_argument("--batch", type=int, default=500, help="rows per relay pass (OUTBOX_RELAY_BATCH_SIZE)")
    parser.add_argument("--modes", default="mark,delete")
    args = parser.parse_args(argv)
    dbs = Databases(args.database_url)
    value = '{"x": "' + "y" * max(0, args.value_bytes - 9) + '"}'
    for mode in args.modes.split(","):
        name = f"bench_outbox_drain_{uuid.uuid4().hex[:8]}"
        engine = create_engine(dbs.create(name))
        try:
            metadata = MetaData()
            outbox = add_eventing_tables(metadata).outbox
            metadata.create_all(engine, tables=[outbox])
            if mode == "mark":  # the index the marking relay searched unpublished rows with
                with engine.begin() as conn:
                    conn.execute(text("CREATE INDEX ix_outbox_unpublished ON outbox (published_at, id)"))
            if args.history:
                fill(engine, outbox, args.history, value, published=True)
                if mode == "delete":  # the migration to eventing v2 deletes what was published
                    with engine.begin() as conn:
                        conn.execute(delete(outbox))
            with engine.begin() as conn:
                conn.execute(text("ANALYZE outbox"))
            fill(engine, outbox, args.rows, value, published=False)
            with engine.begin() as conn:
                conn.execute(text("CHECKPOINT"))
            drained, selecting, writing = drain(engine, outbox, mode, args.batch)
            print(
                f"{mode}: {drained} rows, select {selecting:.2f} s ({selecting / drained * 1e6:.1f} µs a row), "
                f"{mode} {writing:.2f} s ({writing / drained * 1e6:.1f} µs a row)"
            )
        finally:
            engine.dispose()
            dbs.drop(name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
