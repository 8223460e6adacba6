"""Envelope round-trip and validation; contract catalog validation and upcasting."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import marshmallow as ma
import pytest
from marshmallow import fields

from shared.contracts import CATALOG
from shared.events import Envelope, EventCatalog, EventDefinition, InvalidEvent, UnknownEventType
from shared.events.envelope import EnvelopeSchema


def make_envelope(**overrides: object) -> Envelope:
    fields_ = {
        "event_type": "plan.returned",
        "schema_version": 1,
        "producer": "planning",
        "tenant": "1671",
        "aggregate_id": "skp-198503302010011002-2026",
        "aggregate_version": 3,
        "payload": {
            "skp_id": "skp-198503302010011002-2026",
            "nip": "198503302010011002",
            "employee_name": "Siti Aminah",
            "period_year": 2026,
            "returned_by": "197001012000031001",
            "reason": "Target IKI belum terukur.",
        },
        "correlation_id": "corr-1",
    }
    fields_.update(overrides)
    return Envelope.new(**fields_)  # type: ignore[arg-type]


def test_envelope_round_trips_through_json() -> None:
    envelope = make_envelope(causation_id="cause-9")
    loaded = Envelope.from_json(envelope.to_json())
    assert loaded == envelope
    assert loaded.occurred_at.tzinfo is not None
    assert json.loads(envelope.to_json())["occurred_at"].endswith("+00:00")


@pytest.mark.parametrize("causation_id", [None, "cause-9"])
def test_envelope_serialises_as_its_schema_dumps(causation_id: str | None) -> None:
    # to_dict builds the wire dict by hand (the schema's dump was most of a publish's cost);
    # it must stay what the schema itself would write, field for field.
    envelope = make_envelope(causation_id=causation_id)
    as_fields = {name: getattr(envelope, name) for name in EnvelopeSchema().fields}
    assert envelope.to_dict() == EnvelopeSchema().dump(as_fields)


def test_envelope_refuses_a_payload_that_is_not_an_object_on_write() -> None:
    with pytest.raises(InvalidEvent) as info:
        make_envelope(payload=[1, 2]).to_dict()
    assert "payload" in info.value.errors


def test_envelope_ignores_unknown_fields() -> None:
    data = json.loads(make_envelope().to_json())
    data["added_in_a_later_version"] = {"x": 1}
    assert Envelope.from_dict(data).event_type == "plan.returned"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("event_id", "not-a-uuid"),
        ("schema_version", "1"),
        ("schema_version", 0),
        ("tenant", ""),
        ("payload", [1, 2]),
        ("occurred_at", "2026-01-01T07:00:00+07:00"),
        ("occurred_at", "2026-01-01T00:00:00"),
    ],
)
def test_envelope_rejects_invalid_fields(field: str, value: object) -> None:
    data = json.loads(make_envelope().to_json())
    data[field] = value
    with pytest.raises(InvalidEvent) as info:
        Envelope.from_dict(data)
    assert field in info.value.errors


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe", b"[]", b"42", None])
def test_envelope_rejects_what_is_not_an_event(raw: bytes | None) -> None:
    with pytest.raises(InvalidEvent):
        Envelope.from_json(raw)


def test_envelope_requires_utc_on_write() -> None:
    wib = timezone(timedelta(hours=7))
    envelope = make_envelope(occurred_at=datetime(2026, 1, 1, 7, tzinfo=wib))
    with pytest.raises(InvalidEvent):
        envelope.to_dict()


def test_catalog_validates_outgoing_payload_and_names_the_field() -> None:
    envelope = make_envelope(payload={**make_envelope().payload, "nip": "12345"})
    with pytest.raises(InvalidEvent) as info:
        CATALOG.prepare(envelope)
    assert "nip" in info.value.errors


def test_catalog_refuses_unknown_type_and_version() -> None:
    with pytest.raises(UnknownEventType):
        CATALOG.read(make_envelope(event_type="plan.exploded"))
    with pytest.raises(UnknownEventType):
        CATALOG.read(make_envelope(schema_version=99))


def test_catalog_reads_tolerantly() -> None:
    envelope = make_envelope(payload={**make_envelope().payload, "new_optional_field": "ok"})
    assert "new_optional_field" not in CATALOG.read(envelope).payload


# --- a reader that names the fields it uses ---------------------------------------------------

READS = CATALOG.check_reads("plan.returned", ["nip", "reason"])


def test_a_partial_read_validates_and_keeps_only_the_fields_named() -> None:
    envelope = make_envelope(payload={**make_envelope().payload, "period_year": "tahun ini"})
    read = CATALOG.read(envelope, READS)
    # The invalid field is not one the reader uses: neither checked nor handed on.
    assert read.payload == {"nip": "198503302010011002", "reason": "Target IKI belum terukur."}
    assert read.partly_read
    bad = make_envelope(payload={**make_envelope().payload, "nip": "123"})
    with pytest.raises(InvalidEvent, match="nip"):
        CATALOG.read(bad, READS)


def test_a_partly_read_event_is_completed_whole_before_it_goes_anywhere() -> None:
    original = make_envelope()
    read = CATALOG.read(original, READS)
    with pytest.raises(InvalidEvent, match="read in part"):
        read.to_json()
    whole = CATALOG.complete(read)
    assert not whole.partly_read
    assert whole == CATALOG.read(original)
    assert json.loads(whole.to_json())["payload"]["employee_name"] == "Siti Aminah"
    # A field the reader skipped is checked when the whole event is wanted.
    broken = CATALOG.read(make_envelope(payload={**make_envelope().payload, "period_year": "x"}), READS)
    with pytest.raises(InvalidEvent, match="period_year"):
        CATALOG.complete(broken)


def test_reading_nothing_of_the_payload_keeps_the_envelope() -> None:
    read = CATALOG.read(make_envelope(), frozenset())
    assert read.payload == {}
    assert (read.event_type, read.tenant, read.aggregate_version) == ("plan.returned", "1671", 3)
    assert CATALOG.complete(read).payload["reason"] == "Target IKI belum terukur."


def test_an_older_version_is_read_whole_for_its_upcaster() -> None:
    catalog = _greeting_catalog()
    reads = catalog.check_reads("greeting.sent", ["first_name"])
    old = make_envelope(event_type="greeting.sent", schema_version=1, payload={"name": "Siti"})
    read = catalog.read(old, reads)
    assert read.payload == {"first_name": "Siti", "language": "id"}
    assert not read.partly_read
    new = make_envelope(event_type="greeting.sent", schema_version=2, payload={"first_name": "Siti"})
    assert catalog.read(new, reads).payload == {"first_name": "Siti"}  # language unread


def test_a_reader_may_only_name_fields_of_the_contract() -> None:
    with pytest.raises(ValueError, match="alasan"):
        CATALOG.check_reads("plan.returned", ["nip", "alasan"])


def test_catalog_routes_by_topic_and_keys_by_nip() -> None:
    envelope = CATALOG.prepare(make_envelope())
    assert CATALOG.topic_of("plan.returned") == "kinerja.planning.events"
    assert CATALOG.key_of(envelope) == "198503302010011002"


class GreetingV1(ma.Schema):
    name = fields.String(required=True)


class GreetingV2(ma.Schema):
    first_name = fields.String(required=True)
    language = fields.String(required=True)


def _greeting_catalog() -> EventCatalog:
    return EventCatalog(
        [
            EventDefinition("greeting.sent", 1, GreetingV1, "t", "first_name", "v1"),
            EventDefinition(
                "greeting.sent",
                2,
                GreetingV2,
                "t",
                "first_name",
                "v2",
                upcast_from_previous=lambda p: {"first_name": p["name"], "language": "id"},
            ),
        ]
    )


def test_old_versions_are_upcast_on_read() -> None:
    catalog = _greeting_catalog()
    old = make_envelope(event_type="greeting.sent", schema_version=1, payload={"name": "Siti"})
    read = catalog.read(old)
    assert read.schema_version == 2
    assert read.payload == {"first_name": "Siti", "language": "id"}


def test_producers_must_publish_the_newest_version() -> None:
    catalog = _greeting_catalog()
    with pytest.raises(InvalidEvent, match="version 2"):
        catalog.prepare(make_envelope(event_type="greeting.sent", schema_version=1, payload={"name": "Siti"}))


def test_a_new_version_without_upcaster_is_refused() -> None:
    with pytest.raises(ValueError, match="upcaster"):
        EventCatalog([EventDefinition("greeting.sent", 2, GreetingV2, "t", "first_name", "v2")])


def test_occurred_at_defaults_to_now_in_utc() -> None:
    before = datetime.now(UTC)
    assert make_envelope().occurred_at >= before
