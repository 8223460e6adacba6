"""Measure a city-sized period close on PostgreSQL: the close request (items + outbox rows for every
employee, one transaction) and the per-employee cost of the worker's evaluation.

    DATABASE_URL=postgresql+psycopg://kinerja@127.0.0.1:25432/<fresh db> \
        PYTHONPATH=. .venv/bin/python scripts/measure_evaluation_close.py --employees 10000 --evaluate 300

Seeds the projections directly (bulk inserts), so only the close itself is timed.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from sqlalchemy import insert, select

from services.evaluation.adapters.tables import assessments, eventing, plans, realisasi
from services.evaluation.bootstrap import create_runtime
from services.evaluation.service_layer import period_close
from shared.auth import Principal
from shared.events import Envelope
from shared.runtime import ServiceRuntime

BERAKHLAK = ["berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif"]


def seed(runtime: ServiceRuntime, n: int, year: int) -> None:
    now = datetime.now(UTC)
    plan_rows, real_rows, asm_rows = [], [], []
    for i in range(n):
        nip, atasan = f"19900101201503{i:04d}"[-18:].rjust(18, "1"), f"19700101200003{i // 10:04d}"
        skp = f"skp-{nip}-{year}"
        rhk = [
            {
                "rhk_id": f"{skp}.r{r}",
                "description": "RHK",
                "kind": "utama" if r < 2 else "tambahan",
                "intervenes_rhk_id": None,
                "perspective": None,
                "iki": [
                    {
                        "iki_id": f"{skp}.r{r}.i{k}",
                        "indicator": "IKI",
                        "aspect": "kuantitas",
                        "target": 100,
                        "unit": "x",
                        "direction": "higher_is_better",
                        "unit_target_id": None,
                    }
                    for k in range(2)
                ],
            }
            for r in range(3)
        ]
        plan_rows.append(
            {
                "skp_id": skp,
                "tenant": "1671",
                "nip": nip,
                "employee_name": f"P{i}",
                "atasan_nip": atasan,
                "atasan_name": "A",
                "unit": "U",
                "unit_id": f"u{i // 200}",
                "period_year": year,
                "rhk": rhk,
                "approved_at": now,
                "source_version": 3,
                "results_follow_unit": False,
            }
        )
        for r in range(3):
            for k in range(2):
                real_rows.append(
                    {
                        "skp_id": skp,
                        "iki_id": f"{skp}.r{r}.i{k}",
                        "quarter": 4,
                        "tenant": "1671",
                        "nip": nip,
                        "period_year": year,
                        "rhk_id": f"{skp}.r{r}",
                        "value": 90 + (i + r + k) % 30,
                        "note": None,
                        "reported_at": now,
                        "source_version": 4,
                    }
                )
        asm_rows.append(
            {
                "assessment_id": f"asm-{nip}-{year}-atasan-{atasan}",
                "tenant": "1671",
                "nip": nip,
                "period_year": year,
                "source": "atasan",
                "assessor_nip": atasan,
                "behaviour": dict.fromkeys(BERAKHLAK, "sesuai_ekspektasi"),
                "feedback": None,
                "recorded_at": now,
            }
        )
    with runtime.engine.begin() as conn:
        conn.execute(insert(plans), plan_rows)
        conn.execute(insert(realisasi), real_rows)
        conn.execute(insert(assessments), asm_rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=10000)
    parser.add_argument("--evaluate", type=int, default=300)
    args = parser.parse_args()
    runtime = create_runtime()
    runtime.migrate()
    seed(runtime, args.employees, 2026)
    admin = Principal(nip="1" * 18, roles=frozenset({"admin_instansi"}), tenant="1671")

    started = time.perf_counter()
    close = period_close.request_close(runtime.uow(), admin, 2026, "annual", None)
    request_s = time.perf_counter() - started
    print(f"close request: {close['total']} employees, {request_s:.2f} s (items + outbox rows, one transaction)")

    with runtime.engine.connect() as conn:
        rows = (
            conn.execute(
                select(eventing.outbox.c.value)
                .where(eventing.outbox.c.event_type == "evaluation.requested")
                .limit(args.evaluate)
            )
            .scalars()
            .all()
        )
    items = [runtime.catalog.prepare(Envelope.from_json(v)) for v in rows]
    handler = period_close.on_evaluation_requested
    started = time.perf_counter()
    for item in items:
        with runtime.uow() as uow:
            handler(uow, item)
            uow.commit()
    per_item = (time.perf_counter() - started) / len(items)
    print(
        f"worker: {per_item * 1000:.1f} ms per employee (one transaction each, without Kafka) → "
        f"{args.employees * per_item / 60:.1f} min for {args.employees} on one worker copy"
    )


if __name__ == "__main__":
    main()
