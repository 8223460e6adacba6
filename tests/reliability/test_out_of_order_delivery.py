"""Out-of-order and duplicated delivery across partitions: Kafka keeps the order per key (an employee's
events, a unit's events), never across keys — an employee may arrive before the unit they work in, a
unit's rename after the employee's move — and any record may be delivered again. Every service that
keeps projections of the organisation ends in the same state whatever the interleaving, with
duplicates, as with the events in their original order (through the real idempotent consumer)."""

from __future__ import annotations

import importlib
import itertools
import json
import tempfile
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import MetaData, select

from shared.contracts import CATALOG
from shared.events import Envelope
from shared.messaging.consumer import IdempotentConsumer
from tests.unit.service_harness import sqlite_runtime
from tests.unit.shared.conftest import FakeProducer, FakeRecord

SAMPLES = Path(__file__).resolve().parents[1] / "contract" / "samples"
SITI, BUDI, ANDI = "198503302010011002", "197001012000031001", "199104152019031005"
PKM, DINKES = "DINKES.PKM-SUKARAMI", "DINKES"
EVENTING = {"event_store", "outbox", "processed_events", "alembic_version"}


def sample(event_type: str, **changes) -> dict:
    return {**json.loads((SAMPLES / f"{event_type}.v1.json").read_text(encoding="utf-8")), **changes}


def story() -> list[list[Envelope]]:
    """Per key, its events in order (the order Kafka keeps)."""
    by_key: dict[str, list[tuple[str, dict]]] = {
        DINKES: [
            (
                "unit.registered",
                sample(
                    "unit.registered",
                    unit_id=DINKES,
                    name="Dinas Kesehatan",
                    parent_unit_id=None,
                    kind="dinas",
                    serves_public=False,
                ),
            )
        ],
        PKM: [
            ("unit.registered", sample("unit.registered")),
            ("unit.changed", sample("unit.changed")),
        ],
        BUDI: [
            (
                "employee.registered",
                sample(
                    "employee.registered",
                    nip=BUDI,
                    name="Budi Santoso",
                    unit_id=DINKES,
                    unit_name="Dinas Kesehatan",
                    is_unit_head=True,
                    atasan_nip=None,
                    atasan_name=None,
                    email="budi@palembang.go.id",
                ),
            )
        ],
        SITI: [
            ("employee.registered", sample("employee.registered", atasan_nip=ANDI, atasan_name="Andi")),
            ("employee.atasan_changed", sample("employee.atasan_changed", from_atasan_nip=ANDI)),
            ("employee.moved", sample("employee.moved", unit_id=DINKES, unit_name="Dinas Kesehatan")),
            (
                "employee.updated",
                sample(
                    "employee.updated",
                    unit_id=DINKES,
                    unit_name="Dinas Kesehatan",
                    name="Siti Aminah, S.Kep.",
                    changed=["name"],
                ),
            ),
        ],
    }
    streams = []
    for key, events in by_key.items():
        stream = []
        for version, (event_type, payload) in enumerate(events, start=1):
            stream.append(
                CATALOG.prepare(
                    Envelope.new(
                        event_type=event_type,
                        schema_version=1,
                        producer="planning",
                        tenant="1671",
                        aggregate_id=key,
                        aggregate_version=version,
                        payload=payload,
                        correlation_id=str(uuid.uuid4()),
                    )
                )
            )
        streams.append(stream)
    return streams


STREAMS = story()


def interleavings() -> st.SearchStrategy[list[Envelope]]:
    """Any merge of the per-key streams that keeps each key's order, with some records delivered twice."""

    @st.composite
    def merge(draw) -> list[Envelope]:
        queues = [list(s) for s in STREAMS]
        out: list[Envelope] = []
        while any(queues):
            queue = draw(st.sampled_from([q for q in queues if q]))
            event = queue.pop(0)
            out.append(event)
            if draw(st.integers(0, 3)) == 0:  # a redelivery, right away or after a rebalance
                out.append(event)
        return out

    return merge()


def final_state(service: str, delivery: list[Envelope]) -> dict[str, list]:
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    with tempfile.TemporaryDirectory() as tmp, sqlite_runtime(service, Path(tmp)) as runtime:
        handlers = bootstrap.event_handlers(runtime)
        consumer = IdempotentConsumer(
            name=f"kinerja-{service}",
            catalog=runtime.catalog,
            handlers=handlers,
            uow_factory=runtime.uow,
            dlq_producer=FakeProducer(),
            sleep=lambda _s: None,
        )
        outcomes = [
            consumer.handle(
                FakeRecord("kinerja.planning.events", 0, offset, e.aggregate_id.encode(), e.to_json())
            ).status
            for offset, e in enumerate(delivery)
        ]
        assert "dead_lettered" not in outcomes
        metadata = MetaData()
        metadata.reflect(runtime.engine)
        state = {}
        with runtime.engine.connect() as conn:
            for name, table in sorted(metadata.tables.items()):
                if name in EVENTING:
                    continue
                rows = [
                    {k: v for k, v in row.items() if not k.endswith(("_at", "seq")) and k != "version"}
                    for row in conn.execute(select(table)).mappings()
                ]
                state[name] = sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)
        return state


@pytest.mark.parametrize("service", ["evaluation", "rewards", "notifications"])
def test_projections_end_the_same_whatever_the_interleaving_and_duplicates(service) -> None:
    in_order = final_state(service, list(itertools.chain.from_iterable(STREAMS)))
    assert any(in_order.values()), f"{service} keeps projections of the organisation"
    checked = 0

    @given(delivery=interleavings())
    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    def same(delivery: list[Envelope]) -> None:
        nonlocal checked
        checked += 1
        assert final_state(service, delivery) == in_order

    same()
    print(f"OUT OF ORDER [{service}] interleavings={checked} events={sum(map(len, STREAMS))}")
