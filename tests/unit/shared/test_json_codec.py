"""orjson writes what the standard library wrote for our events, and JSON columns read back as written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, Table, insert, select

from shared import json_codec
from shared.contracts import CATALOG
from shared.events import Envelope
from shared.storage.database import create_db_engine

SAMPLES = Path(__file__).parents[2] / "contract" / "samples"


def stdlib_wire(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.mark.parametrize("definition", CATALOG.definitions(), ids=lambda d: f"{d.event_type}.v{d.version}")
def test_every_sample_event_has_the_bytes_the_standard_library_gave(definition) -> None:
    payload = json.loads((SAMPLES / f"{definition.event_type}.v{definition.version}.json").read_text("utf-8"))
    envelope = Envelope.new(
        event_type=definition.event_type,
        schema_version=definition.version,
        producer="codec-test",
        tenant="1671",
        aggregate_id="Dinas Kesehatan — Puskesmas Sukarami",  # non-ASCII stays UTF-8, unescaped
        aggregate_version=1,
        payload=payload,
        correlation_id="c-1",
    )
    wire = envelope.to_json()
    assert wire == stdlib_wire(envelope.to_dict())
    assert Envelope.from_json(wire) == Envelope.from_dict(json.loads(wire))


def test_values_the_standard_library_also_writes() -> None:
    value = {"n": 198503302010011002, "f": 0.1, "neg": -0.0, "text": "Sangat Baik ✓", "nested": [{"a": None}], 7: True}
    assert json.loads(json_codec.dumps(value)) == json.loads(json.dumps(value))  # int key 7 -> "7" in both
    assert json_codec.loads(json_codec.dumps_bytes(value)) == json.loads(json.dumps(value))


def test_json_columns_round_trip_through_the_engine(tmp_path) -> None:
    metadata = MetaData()
    table = Table("docs", metadata, Column("id", Integer, primary_key=True), Column("data", JSON, nullable=False))
    engine = create_db_engine(f"sqlite:///{tmp_path / 'docs.db'}")
    metadata.create_all(engine)
    data = {"breakdown": [{"iki_id": "skp.r1.i1", "target": 12.5, "realisasi": None}], "unit": "Dinkes — UPT"}
    with engine.begin() as conn:
        conn.execute(insert(table), [{"id": 1, "data": data}])
        stored = conn.exec_driver_sql("SELECT data FROM docs").scalar_one()
        read = conn.execute(select(table.c.data)).scalar_one()
    assert stored == stdlib_wire(data).decode()  # the column holds compact text, as before
    assert read == data
