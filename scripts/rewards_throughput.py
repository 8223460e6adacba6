"""How fast rewards decides a year-end: N annual results of one instansi, spread over units with
budgets, each handled in its own transaction exactly as the consumer does (no broker: this measures
the service's own work on its database).

    KINERJA_TEST_DATABASE_URL=postgresql+psycopg://kinerja@127.0.0.1:25432/postgres \
        .venv/bin/python -m scripts.rewards_throughput --employees 2000 --units 20
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

from services.rewards.bootstrap import create_runtime, event_handlers
from services.rewards.service_layer import handlers
from shared.auth import Principal
from tests.conftest import DatabaseFactory
from tests.unit.rewards.rewards_samples import employee_record, envelope, evaluation_payload
from tests.unit.service_harness import deliver

PREDIKAT = ["baik"] * 6 + ["sangat_baik"] * 2 + ["butuh_perbaikan", "kurang"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--units", type=int, default=20)
    args = parser.parse_args()
    url = DatabaseFactory(os.environ["KINERJA_TEST_DATABASE_URL"]).new_database("rewards_throughput")
    base = create_runtime()
    runtime = create_runtime(dataclasses.replace(base.settings, database_url=url))
    runtime.migrate()
    consumers = event_handlers(runtime)
    admin = Principal("198001012005011004", frozenset({"admin_instansi"}), "1671")
    nips = [f"19900101201503{i:04d}" for i in range(args.employees)]
    for i, nip in enumerate(nips):
        unit = f"unit-{i % args.units}"
        record = employee_record(nip, unit_id=unit, unit_name=unit, position_kind="fungsional", grade="ahli_muda")
        deliver(runtime, consumers, envelope(record, event_type="employee.registered"))
    for u in range(args.units):
        handlers.set_budget(runtime.uow(), admin, f"unit-{u}", 2026, 25_000_000 * args.employees / args.units)
    started = time.perf_counter()
    for i, nip in enumerate(nips):
        deliver(runtime, consumers, envelope(evaluation_payload(nip=nip, predikat=PREDIKAT[i % len(PREDIKAT)])))
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    register = handlers.read_register(runtime.uow(), handlers.RewardsConfig(*_config()), admin, 2026)
    register_s = time.perf_counter() - started
    print(
        f"{args.employees} annual results in {args.units} units: {elapsed:.1f} s "
        f"({args.employees / elapsed:.0f} decisions/s, one transaction each); "
        f"register of {len(register['rows'])} rows in {register_s:.2f} s"
    )
    runtime.engine.dispose()


def _config() -> tuple:
    from services.rewards.bootstrap import load_config

    config = load_config()
    return config.policies, config.catalogue


if __name__ == "__main__":
    main()
