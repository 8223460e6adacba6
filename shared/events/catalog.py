"""The catalog of integration event types: payload schema per (type, version), topic, key, upcasters.

Producers validate against the newest version before writing to the outbox; consumers validate
what they read against the version it was written in, then upcast it step by step to the newest
version they know. Old versions are never rewritten on the wire or in a store.

A consumer may name the payload fields it reads (a tolerant reader): of an event in the newest
version only those are validated and handed on, the rest is neither checked nor trusted. The
producer validated the whole event before publishing it; a consumer that forwards it (the webhook
fan-out) validates the whole of it first (`complete`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

import marshmallow as ma

from shared.events.compiled_schemas import compile_load
from shared.events.envelope import Envelope, InvalidEvent
from shared.events.json_native import load_is_dump

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class UnknownEventType(InvalidEvent):
    def __init__(self, event_type: str, version: int) -> None:
        super().__init__(f"unknown event type {event_type!r} version {version}")
        self.event_type = event_type
        self.version = version


@dataclass(frozen=True)
class EventDefinition:
    """One version of one event type. `key` names the payload field used as the Kafka key
    (the id whose events must stay in order — the employee's NIP for most events)."""

    event_type: str
    version: int
    schema: type[ma.Schema]
    topic: str
    key: str
    description: str
    upcast_from_previous: Upcaster | None = None


@dataclass(frozen=True)
class _CompiledSchema:
    schema: ma.Schema
    load: Callable[[Any], dict[str, Any]]  # schema.load, compiled (shared.events.compiled_schemas)
    loaded_is_normal: bool  # its load gives what its dump would: the dump is skipped


class EventCatalog:
    def __init__(self, definitions: Iterable[EventDefinition] = ()) -> None:
        self._defs: dict[tuple[str, int], EventDefinition] = {}
        self._latest: dict[str, int] = {}
        # Built once: a schema per event costs (bulk import). With it, its compiled load and whether
        # its dump may be skipped. Keyed by type, version and the fields read (None: all of them).
        self._schemas: dict[tuple[str, int, frozenset[str] | None], _CompiledSchema] = {}
        for definition in definitions:
            self.register(definition)

    def register(self, definition: EventDefinition) -> None:
        ident = (definition.event_type, definition.version)
        if ident in self._defs:
            raise ValueError(f"event {ident} is registered twice")
        if definition.version > 1 and definition.upcast_from_previous is None:
            raise ValueError(f"event {ident} needs an upcaster from version {definition.version - 1}")
        self._defs[ident] = definition
        self._latest[definition.event_type] = max(self._latest.get(definition.event_type, 0), definition.version)

    def __contains__(self, event_type: object) -> bool:
        return event_type in self._latest

    def definitions(self) -> list[EventDefinition]:
        return sorted(self._defs.values(), key=lambda d: (d.topic, d.event_type, d.version))

    def latest(self, event_type: str) -> EventDefinition:
        if event_type not in self._latest:
            raise UnknownEventType(event_type, 0)
        return self._defs[(event_type, self._latest[event_type])]

    def topics(self) -> set[str]:
        return {d.topic for d in self._defs.values()}

    def payload_fields(self, event_type: str) -> frozenset[str]:
        """The payload fields of the newest version of an event type."""
        return frozenset(self._schema(event_type, self.latest(event_type).version, None).schema.fields)

    def check_reads(self, event_type: str, reads: Collection[str]) -> frozenset[str]:
        """The fields a reader names, checked against the newest version's schema (a misspelt or a
        removed field fails at start-up, not on the first event)."""
        unknown = sorted(set(reads) - self.payload_fields(event_type))
        if unknown:
            raise ValueError(f"{event_type} has no payload fields {unknown}")
        return frozenset(reads)

    def _schema(self, event_type: str, version: int, reads: frozenset[str] | None) -> _CompiledSchema:
        cached = self._schemas.get((event_type, version, reads))
        if cached is not None:
            return cached
        definition = self._defs.get((event_type, version))
        if definition is None:
            raise UnknownEventType(event_type, version)
        # Unknown payload fields are dropped, not refused: newer producers may add optional fields.
        if reads is None:
            schema = definition.schema(unknown=ma.EXCLUDE)
            loaded_is_normal = load_is_dump(schema)
        else:  # a subset of a schema whose load is its dump loads to its dump too
            schema = definition.schema(only=reads, unknown=ma.EXCLUDE)
            loaded_is_normal = self._schema(event_type, version, None).loaded_is_normal
        cached = _CompiledSchema(schema, compile_load(schema), loaded_is_normal)
        self._schemas[(event_type, version, reads)] = cached
        return cached

    def validate_payload(
        self, event_type: str, version: int, payload: Any, reads: frozenset[str] | None = None
    ) -> dict[str, Any]:
        """The payload validated (all of it, or the fields in `reads`) and normalised, or InvalidEvent."""
        compiled = self._schema(event_type, version, reads)
        try:
            loaded = compiled.load(payload)
            return loaded if compiled.loaded_is_normal else compiled.schema.dump(loaded)
        except ma.ValidationError as exc:
            raise InvalidEvent(f"payload of {event_type} v{version} is invalid", exc.normalized_messages()) from exc

    def prepare(self, envelope: Envelope) -> Envelope:
        """Validate an outgoing event; it must be in the newest version of its type."""
        latest = self.latest(envelope.event_type)
        if envelope.schema_version != latest.version:
            raise InvalidEvent(
                f"{envelope.event_type} must be published as version {latest.version}, not {envelope.schema_version}"
            )
        payload = self.validate_payload(envelope.event_type, envelope.schema_version, envelope.payload)
        # The envelope itself is validated when it is serialised (to_dict/to_json), once.
        return envelope.with_payload(payload, envelope.schema_version)

    def read(self, envelope: Envelope, reads: frozenset[str] | None = None) -> Envelope:
        """Validate an incoming event in its own version, then upcast it to the newest one.

        `reads` (from `check_reads`): the payload fields the reader uses. Of an event in the newest
        version only they are validated and kept; the envelope keeps the payload as received for
        `complete`. An older version is read whole: its upcasters work on whole payloads."""
        version = envelope.schema_version
        latest = self._latest.get(envelope.event_type, 0)  # an unknown type is refused by validate_payload
        if reads is not None and version == latest:
            payload = self.validate_payload(envelope.event_type, version, envelope.payload, reads)
            return envelope.with_payload(payload, version, received_payload=envelope.payload)
        payload = self.validate_payload(envelope.event_type, version, envelope.payload)
        while version < latest:
            version += 1
            upcast = self._defs[(envelope.event_type, version)].upcast_from_previous
            assert upcast is not None  # enforced by register()
            payload = self.validate_payload(envelope.event_type, version, upcast(payload))
        return envelope.with_payload(payload, version)

    def complete(self, envelope: Envelope) -> Envelope:
        """The whole event of one read in part, every field validated now (InvalidEvent if one is not)."""
        if not envelope.partly_read:
            return envelope
        assert envelope.received_payload is not None
        return self.read(envelope.with_payload(envelope.received_payload, envelope.schema_version))

    def key_of(self, envelope: Envelope) -> str:
        definition = self._defs[(envelope.event_type, envelope.schema_version)]
        value = envelope.payload.get(definition.key)
        return str(value) if value not in (None, "") else envelope.aggregate_id

    def topic_of(self, event_type: str) -> str:
        return self.latest(event_type).topic
