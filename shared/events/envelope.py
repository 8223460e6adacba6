"""The envelope every integration event travels in, and its marshmallow schema.

Wire format: one JSON object per Kafka message value (UTF-8). Readers are tolerant: unknown
envelope fields are ignored, so producers may add optional fields without breaking anyone.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from shared import json_codec
from shared.events.compiled_schemas import compile_load


class InvalidEvent(ValueError):
    """A message that is not a valid event: bad JSON, a broken envelope or payload."""

    def __init__(self, reason: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(reason if errors is None else f"{reason}: {json.dumps(errors, sort_keys=True)}")
        self.reason = reason
        self.errors = errors or {}


def _utc(value: datetime) -> None:
    if value.utcoffset() != UTC.utcoffset(None):
        raise ma.ValidationError("occurred_at must be in UTC (offset +00:00 or Z).")


class EnvelopeSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE  # tolerant reader

    event_id = fields.UUID(required=True)
    event_type = fields.String(required=True, validate=validate.Length(min=1, max=120))
    schema_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True, format="iso", validate=_utc)
    producer = fields.String(required=True, validate=validate.Length(min=1, max=60))
    tenant = fields.String(required=True, validate=validate.Length(min=1, max=40))
    aggregate_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    aggregate_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    correlation_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    causation_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    # Keys unchecked: a JSON object's keys are strings already, and checking each one was a third
    # of the envelope's cost (the payload's own schema validates what is inside).
    payload = fields.Dict(required=True)


_SCHEMA = EnvelopeSchema()
_LOAD = compile_load(_SCHEMA)  # the same results and errors as _SCHEMA.load, a third of its time


@dataclass(frozen=True)
class Envelope:
    event_id: str
    event_type: str
    schema_version: int
    occurred_at: datetime
    producer: str
    tenant: str
    aggregate_id: str
    aggregate_version: int
    correlation_id: str
    causation_id: str | None
    payload: dict[str, Any] = field(default_factory=dict)
    # Set when a consumer validated only the payload fields it reads (`EventCatalog.read` with
    # `reads`): the payload as it arrived, for whoever needs the whole event later
    # (`EventCatalog.complete`). Not part of the event: never serialised or compared.
    received_payload: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def new(
        cls,
        *,
        event_type: str,
        schema_version: int,
        producer: str,
        tenant: str,
        aggregate_id: str,
        aggregate_version: int,
        payload: dict[str, Any],
        correlation_id: str,
        causation_id: str | None = None,
        occurred_at: datetime | None = None,
    ) -> Envelope:
        return cls(
            event_id=str(uuid.uuid4()),
            event_type=event_type,
            schema_version=schema_version,
            occurred_at=occurred_at or datetime.now(UTC),
            producer=producer,
            tenant=tenant,
            aggregate_id=aggregate_id,
            aggregate_version=aggregate_version,
            correlation_id=correlation_id,
            causation_id=causation_id,
            payload=payload,
        )

    def _fields(self) -> dict[str, Any]:
        # Shallow: dataclasses.asdict deep-copied every payload (an evaluation's breakdown and
        # explanation) on each serialisation — a measurable share of a consumer's time at year-end.
        # The schema's dump builds a new dict anyway, and nothing here mutates the payload.
        return {f.name: getattr(self, f.name) for f in _WIRE_FIELDS}

    @property
    def partly_read(self) -> bool:
        """Only some payload fields were validated and kept (a tolerant reader's view)."""
        return self.received_payload is not None

    def to_dict(self) -> dict[str, Any]:
        # What the schema's dump gives (a str id, an ISO timestamp, the rest as is) without its
        # per-field cost; the result is then validated by the schema as a reader would load it.
        if self.partly_read:
            # Forwarding a reader's partial view would publish an event missing fields.
            raise InvalidEvent(f"{self.event_type} {self.event_id} was read in part; complete it before sending")
        data = self._fields()
        data["occurred_at"] = self.occurred_at.isoformat()
        try:
            _LOAD(data)
        except ma.ValidationError as exc:
            raise InvalidEvent("envelope is invalid", exc.normalized_messages()) from exc
        return data

    def to_json(self) -> bytes:
        return json_codec.dumps_bytes(self.to_dict())

    @classmethod
    def from_dict(cls, data: Any) -> Envelope:
        if not isinstance(data, dict):
            raise InvalidEvent("an event must be a JSON object")
        try:
            loaded = _LOAD(data)
        except ma.ValidationError as exc:
            raise InvalidEvent("envelope is invalid", exc.normalized_messages()) from exc
        loaded["event_id"] = str(loaded["event_id"])
        return cls(**loaded)

    @classmethod
    def from_json(cls, raw: bytes | str | None) -> Envelope:
        if raw is None:
            raise InvalidEvent("message has no value")
        try:
            data = json_codec.loads(raw)
        except json_codec.JSONDecodeError as exc:
            raise InvalidEvent(f"message value is not valid JSON ({exc})") from exc
        return cls.from_dict(data)

    def with_payload(
        self, payload: dict[str, Any], schema_version: int, received_payload: dict[str, Any] | None = None
    ) -> Envelope:
        wire = {**self._fields(), "payload": payload, "schema_version": schema_version}
        return Envelope(**wire, received_payload=received_payload)


_WIRE_FIELDS = tuple(f for f in dataclass_fields(Envelope) if f.name != "received_payload")
