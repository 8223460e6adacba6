"""Operator command: `python -m services.evaluation close --tenant 1671 --year 2026 [--period annual]
[--unit UNIT_ID] [--by NIP] [--wait]` — requests a period close (the same as the API) and, with
--wait, prints its progress until the workers have done every employee."""

from __future__ import annotations

import argparse
import json
import time

from services.evaluation.bootstrap import create_runtime
from services.evaluation.domain.scoring import PERIODS
from services.evaluation.service_layer import period_close
from shared.auth import Principal, Role


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m services.evaluation close")
    parser.add_argument("--tenant", required=True, help="instansi code, e.g. 1671")
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--period", default="annual", choices=PERIODS)
    parser.add_argument("--unit", default=None, help="a unit id (with its sub-units); default: the whole instansi")
    parser.add_argument("--by", default="0" * 18, help="NIP of the operator, recorded as the requester")
    parser.add_argument("--wait", action="store_true", help="poll and print progress until finished")
    args = parser.parse_args(argv)
    runtime = create_runtime()
    operator = Principal(nip=args.by, roles=frozenset({Role.ADMIN.value}), tenant=args.tenant)
    close = period_close.request_close(runtime.uow(), operator, args.year, args.period, args.unit)
    print(json.dumps({k: close[k] for k in ("close_id", "total", "counts")}))
    while args.wait and not close["finished"]:
        time.sleep(2)
        close = period_close.get_close(runtime.uow(), operator, close["close_id"])
        print(json.dumps({"done": close["done"], "total": close["total"], "counts": close["counts"]}), flush=True)
