"""Planner statistics for tables that fill up before autovacuum first looks at them.

A service's read models start empty: rewards' ledger and evaluation history, notifications' appeal
windows, … fill during the first year-end close. PostgreSQL has no column statistics for a table
until it is analyzed, and autovacuum looks at a database once a minute (`autovacuum_naptime`). Until
then the planner takes the default selectivities, which make `tenant = :t AND period_year = :y` look
like a handful of rows: a consumer batch's prefetch (`nip = ANY(:200 nips)`) reads every row of the
tenant through the primary key instead of 200 index probes. That scan grows with the table, so a
close that fills the table in less than a minute pays a cost quadratic in its size: 32 ms for the
ledger's prefetch at 10,000 rows, against 0.6 ms once analyzed (docs/scaling.md, fix 28).

`StatisticsKeeper` ANALYZEs, once, each table that has rows but no statistics yet. The worker calls
`look` every few seconds; from then on autovacuum keeps the statistics, as on any table. A copy
that finds another copy's ANALYZE holding the table's lock leaves it to that one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from shared.storage.database import is_postgres

log = logging.getLogger(__name__)

# Fewer rows than this read fast whatever the plan; autovacuum's own threshold is 50 rows + 10%.
MIN_ROWS = 1000

_WITHOUT_STATISTICS = text(
    """
    SELECT quote_ident(s.schemaname) || '.' || quote_ident(s.relname) AS name
    FROM pg_stat_user_tables s
    WHERE s.n_live_tup >= :min_rows
      AND NOT EXISTS (SELECT 1 FROM pg_stats p WHERE p.schemaname = s.schemaname AND p.tablename = s.relname)
    ORDER BY s.n_live_tup DESC
    """
)


class StatisticsKeeper:
    def __init__(
        self,
        engine: Engine,
        *,
        min_rows: int = MIN_ROWS,
        every_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._min_rows = min_rows
        self._every_s = every_s
        self._clock = clock
        self._looked_at: float | None = None
        # Analyzed by this process: a table that has no statistics after its ANALYZE (one this role
        # may not analyze: PostgreSQL only warns and skips it) is not tried every few seconds.
        self._analyzed: set[str] = set()
        self._enabled = is_postgres(engine)  # SQLite (tests, the local run) plans without statistics

    def look(self) -> list[str]:
        """At most every `every_s`: ANALYZE the tables with rows but no statistics, each once in this
        process; return the names of those it ran on."""
        now = self._clock()
        if not self._enabled or (self._looked_at is not None and now - self._looked_at < self._every_s):
            return []
        self._looked_at = now
        return self.analyze_tables_without_statistics()

    def analyze_tables_without_statistics(self) -> list[str]:
        with self._engine.connect() as conn:
            names = list(conn.execute(_WITHOUT_STATISTICS, {"min_rows": self._min_rows}).scalars())
        analyzed = [name for name in names if name not in self._analyzed and self._analyze(name)]
        self._analyzed.update(analyzed)
        return analyzed

    def _analyze(self, name: str) -> bool:
        try:
            with self._engine.begin() as conn:
                # Another copy's ANALYZE holds the lock: it is doing the work, don't queue behind it.
                conn.execute(text("SET LOCAL lock_timeout = '200ms'"))
                conn.execute(text(f"ANALYZE {name}"))
        except DBAPIError as exc:
            log.info("table %s not analyzed: %s", name, exc.orig)
            return False
        log.info("ANALYZE %s: it had rows but no planner statistics", name)
        return True
