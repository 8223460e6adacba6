"""A batch's upserts (or updates by key) by one unnest statement against psycopg's executemany:
client and server CPU.

At a 10,000-employee close the consumers upsert ~50,000 read-model rows (rewards' decisions, ledger
and history, evaluation's results, notifications' appeal windows) in batches of 200. This reads
`--rows` rows of such a table from a loaded database (`python -m bench.year_end --keep-databases`
leaves bench_<stamp>_<service>), upserts them into an empty copy of the table (a temporary table,
indexes and column compression included) in batches, twice — inserts, then updates of every row —
by `shared.storage.upsert.upsert_many` as the services do and by the executemany it replaced, in
turn, and prints wall time and CPU: this process's and the server backend's (from /proc). Not a test.
`--table close_items` (evaluation's close items, from a database after a close) inserts the rows
first, unmeasured, then updates each twice by `shared.storage.keyed_update.update_many`, the way
evaluation records the close's outcomes.

    python -m bench.upsert_cost --database-url postgresql+psycopg://…/bench_<stamp>_rewards --table period_ledger
"""

from __future__ import annotations

import argparse
import resource
import time
from typing import Any

import psutil
from sqlalchemy import Engine, MetaData, Table, select, text
from sqlalchemy.orm import Session

from shared.storage import keyed_update, upsert
from shared.storage.bulk_insert import insert_many
from shared.storage.database import create_db_engine

KEYS = {  # the key each service upserts these tables on
    "period_ledger": ("tenant", "nip", "period_year"),
    "decisions": ("decision_id",),
    "evaluation_history": ("tenant", "nip", "period_year", "period"),
    "evaluations": ("evaluation_id",),
    "appeal_windows": ("tenant", "evaluation_id"),
}
UPDATED = {"close_items": ("close_id", "nip")}  # tables updated by key (evaluation's close outcomes)


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_once(
    engine: Engine, table: Table, rows: list[dict[str, Any]], key: tuple[str, ...], batch: int, unnest: bool
) -> dict[str, float]:
    """Upsert `rows` twice into a fresh temporary copy of `table` (or insert them, then update each
    twice); wall and CPU seconds of the two passes."""
    updating = table.name in UPDATED
    passes = [[_outcome(row, version) for row in rows] for version in range(2)] if updating else [rows, rows]
    write = keyed_update.update_many if updating else upsert.upsert_many
    threshold = upsert.UNNEST_FROM_ROWS
    upsert.UNNEST_FROM_ROWS = threshold if unnest else len(rows) + 1  # above any batch: the executemany
    try:
        with Session(engine) as session, session.begin():
            session.execute(text(f"CREATE TEMP TABLE scratch (LIKE {table.name} INCLUDING ALL) ON COMMIT DROP"))
            scratch = table.to_metadata(MetaData(), name="scratch")
            if updating:
                insert_many(session, scratch, rows)  # the items the close's outcomes update, unmeasured
            backend = psutil.Process(session.execute(text("SELECT pg_backend_pid()")).scalar_one())
            server_before, own_before, began = sum(backend.cpu_times()[:2]), _own_cpu(), time.perf_counter()
            for written in passes:
                for start in range(0, len(written), batch):
                    write(session, scratch, written[start : start + batch], key)
            wall, own = time.perf_counter() - began, _own_cpu() - own_before
            server = sum(backend.cpu_times()[:2]) - server_before
    finally:
        upsert.UNNEST_FROM_ROWS = threshold
    return {"wall_s": wall, "client_cpu_s": own, "server_cpu_s": server}


def _outcome(item: dict[str, Any], version: int) -> dict[str, Any]:
    reasons = [{"field": "realisasi", "reason": "no realisasi for Q4", "version": version}] if version else None
    return {
        "close_id": item["close_id"],
        "nip": item["nip"],
        "status": "incomplete" if version else "completed",
        "reasons": reasons,
        "updated_at": item["updated_at"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", required=True, help="a loaded service database (on this machine)")
    parser.add_argument("--table", required=True, choices=sorted(KEYS | UPDATED))
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    engine = create_db_engine(args.database_url)
    table = Table(args.table, MetaData(), autoload_with=engine)
    with engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(select(table).limit(args.rows))]
    written = "updated twice" if args.table in UPDATED else "upserted twice (insert, update)"
    print(f"{args.table}: {len(rows)} rows, batches of {args.batch}, each {written}")
    for _ in range(args.repeat):
        for unnest in (False, True):
            got = run_once(engine, table, rows, {**KEYS, **UPDATED}[args.table], args.batch, unnest)
            total = got["client_cpu_s"] + got["server_cpu_s"]
            print(
                f"  {'unnest' if unnest else 'executemany':12} wall {got['wall_s'] * 1000:6.0f} ms  "
                f"client CPU {got['client_cpu_s'] * 1000:5.0f} ms  server CPU {got['server_cpu_s'] * 1000:5.0f} ms  "
                f"together {total * 1000:5.0f} ms ({total / (2 * len(rows)) * 1e6:.0f} µs a row)"
            )
    engine.dispose()


if __name__ == "__main__":
    main()
