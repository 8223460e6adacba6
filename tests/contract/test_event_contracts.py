"""Every (event type, version) in the catalog has a sample payload here, kept forever.

A sample must load in its own version, dump back to itself, and read (upcast) into the newest
version: so a change that breaks an old version, or a new version without a sample, fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import marshmallow as ma
import pytest

from shared.contracts import CATALOG
from shared.events import Envelope
from shared.events.json_native import load_is_dump

SAMPLES = Path(__file__).parent / "samples"
DEFINITIONS = CATALOG.definitions()


def sample(event_type: str, version: int) -> dict:
    return json.loads((SAMPLES / f"{event_type}.v{version}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: f"{d.event_type}.v{d.version}")
def test_sample_round_trips_in_its_own_version(definition) -> None:
    payload = sample(definition.event_type, definition.version)
    assert CATALOG.validate_payload(definition.event_type, definition.version, payload) == payload


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: f"{d.event_type}.v{d.version}")
def test_sample_reads_as_the_newest_version(definition) -> None:
    envelope = Envelope.new(
        event_type=definition.event_type,
        schema_version=definition.version,
        producer="contract-test",
        tenant="1671",
        aggregate_id="a-1",
        aggregate_version=1,
        correlation_id="c-1",
        payload=sample(definition.event_type, definition.version),
    )
    wire = Envelope.from_json(envelope.to_json())
    read = CATALOG.read(wire)
    assert read.schema_version == CATALOG.latest(definition.event_type).version
    assert CATALOG.key_of(read) == read.payload.get(definition.key, read.aggregate_id)


def test_no_sample_without_a_definition() -> None:
    known = {f"{d.event_type}.v{d.version}.json" for d in DEFINITIONS}
    assert {p.name for p in SAMPLES.glob("*.json")} == known


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: f"{d.event_type}.v{d.version}")
def test_a_required_field_missing_is_refused(definition) -> None:
    payload = sample(definition.event_type, definition.version)
    required = [name for name, f in definition.schema().fields.items() if f.required]
    assert required, "every event has required fields"
    del payload[required[0]]
    with pytest.raises(ValueError, match=required[0]):
        CATALOG.validate_payload(definition.event_type, definition.version, payload)


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: f"{d.event_type}.v{d.version}")
def test_payloads_without_the_optional_fields_still_load(definition) -> None:
    """Fields added to a version later are optional, so payloads written before them still load."""
    payload = sample(definition.event_type, definition.version)
    fields = definition.schema().fields
    minimal = {name: value for name, value in payload.items() if fields[name].required}
    loaded = CATALOG.validate_payload(definition.event_type, definition.version, minimal)
    assert {name for name in loaded if name not in minimal} == {n for n, f in fields.items() if not f.required}


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: f"{d.event_type}.v{d.version}")
def test_a_payload_returned_as_loaded_is_what_its_dump_would_be(definition) -> None:
    """The catalog skips the dump where `load_is_dump` says so; on every sample that must not matter."""
    schema = definition.schema(unknown=ma.EXCLUDE)
    payload = sample(definition.event_type, definition.version)
    loaded = schema.load(payload)
    if load_is_dump(schema):
        assert loaded == schema.dump(loaded)
    assert CATALOG.validate_payload(definition.event_type, definition.version, payload) == schema.dump(loaded)
