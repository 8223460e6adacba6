"""The event catalog for agencies, generated from the contracts (shared.contracts.CATALOG):

- docs/events/asyncapi.yaml — one AsyncAPI 3 document: topics, messages, keys, partitioning and
  ordering, delivery semantics, compatibility policy;
- docs/events/schemas/<type>.v<N>.json — JSON Schema of each event type and version (the whole
  message: envelope with its payload).

    python -m deploy.catalog write    # regenerate (also: make docs)
    python -m deploy.catalog check    # exit 1 when the committed files are stale

Never edit the generated files by hand; change the marshmallow schemas and regenerate.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from deploy.schema_convert import schema_to_jsonschema
from deploy.topics import DAY_MS, EVENT_RETENTION_DAYS, PRODUCTION_PARTITIONS, consumer_group
from shared.contracts import CATALOG, SERVICE_TOPICS, public_definitions
from shared.events import EventCatalog, EventDefinition
from shared.events.envelope import EnvelopeSchema

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs" / "events"
SAMPLES = REPO / "tests" / "contract" / "samples"
ASYNCAPI_FILE = "asyncapi.yaml"
SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"

DESCRIPTION = """\
Every integration event the Kinerja services publish, for agencies (BKN, BKPSDM, inspectorates,
payroll) that want to subscribe. Generated from the services' marshmallow contracts — do not edit
by hand.

## Wire format
One JSON object (UTF-8) per Kafka record value: the envelope (`event_id`, `event_type`,
`schema_version`, `occurred_at` in UTC, `producer`, `tenant` = the instansi, `aggregate_id`,
`aggregate_version`, `correlation_id`, `causation_id`) with the event's `payload`. Record headers
`event_type` and `event_id` repeat the envelope's for filtering without parsing.

## Topics, keys, partitioning and ordering
Each service is the only producer of its topic (`kinerja.<service>.events`). The record key is the
id whose events must stay in order — the employee's NIP for most events (see each message's key).
Records with the same key go to the same partition and are delivered in the order they were
committed by the producer; there is no order across keys or across topics. `aggregate_version`
increases by one per aggregate, so a consumer can detect a gap or a stale event.

## Delivery semantics
At-least-once. The producer writes events in the same database transaction as the state change
(transactional outbox) and a relay publishes them (acks=all, idempotent producer); a crash between
publishing and marking can publish an event again. **Deduplicate by `event_id`**: record processed
ids in the same transaction as your own change, and commit Kafka offsets only after it.

## Compatibility policy
- Within a version only optional fields are added; readers must ignore unknown fields (every
  schema here has `additionalProperties: true`).
- Renaming, removing, retyping a field or making one required creates a new version
  (`schema_version` N+1). The producer then publishes only the newest version; the older
  version's schema stays documented, and events already on the topic are never rewritten.
- Topic names, keys and the envelope do not change without a new topic.

## Consuming
Use your own consumer group (not one named `kinerja-<service>`), `auto.offset.reset=earliest`,
`isolation.level=read_committed`, manual commits after processing. Dead letters of the Kinerja
services' own consumers are on `<topic>.dlq` and are not part of this contract.
"""

EXAMPLE_SUBSCRIBER = """\
# pip install kafka-python
import json

from kafka import KafkaConsumer

consumer = KafkaConsumer(
    "kinerja.evaluation.events",
    bootstrap_servers="kafka.kinerja.example:9092",
    group_id="bkn-sync",  # your own group
    enable_auto_commit=False,  # commit after your own transaction
    auto_offset_reset="earliest",
    isolation_level="read_committed",
)
seen: set[str] = set()  # in production: a table written in your transaction
for record in consumer:
    event = json.loads(record.value)
    if event["event_id"] in seen:  # at-least-once: skip redeliveries
        continue
    if event["event_type"] == "evaluation.completed" and event["schema_version"] == 1:
        payload = event["payload"]  # ignore fields you do not know
        print(event["tenant"], payload["nip"], payload.get("predikat"))
    seen.add(event["event_id"])
    consumer.commit()
"""


def _message_id(definition: EventDefinition) -> str:
    return f"{definition.event_type}.v{definition.version}"


def _channel_id(service: str) -> str:
    return service


def envelope_schema() -> dict[str, Any]:
    return schema_to_jsonschema(EnvelopeSchema, title="Envelope")


def event_schema(definition: EventDefinition) -> dict[str, Any]:
    """The whole message of one (type, version): the envelope, its type and version fixed, and the payload."""
    envelope = envelope_schema()
    properties = dict(envelope["properties"])
    properties["event_type"] = {**properties["event_type"], "const": definition.event_type}
    properties["schema_version"] = {**properties["schema_version"], "const": definition.version}
    payload = schema_to_jsonschema(definition.schema, title=f"{definition.event_type} v{definition.version} payload")
    payload.setdefault("description", definition.description)
    properties["payload"] = payload
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"https://kinerja.example/events/schemas/{_message_id(definition)}.json",
        "title": f"{definition.event_type} (version {definition.version})",
        "description": definition.description,
        **{k: v for k, v in envelope.items() if k not in ("title", "description", "properties")},
        "properties": properties,
    }


def _sample(definition: EventDefinition) -> dict[str, Any] | None:
    path = SAMPLES / f"{_message_id(definition)}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _example_message(definition: EventDefinition, payload: dict[str, Any]) -> dict[str, Any]:
    key = payload.get(definition.key)
    return {
        "name": "sample",
        "summary": f"A {definition.event_type} v{definition.version} event",
        "headers": {"event_type": definition.event_type, "event_id": "0b4f2e1c-5d7a-4d53-9a58-3f0f8e9b1c2d"},
        "payload": {
            "event_id": "0b4f2e1c-5d7a-4d53-9a58-3f0f8e9b1c2d",
            "event_type": definition.event_type,
            "schema_version": definition.version,
            "occurred_at": "2026-12-31T09:00:00+00:00",
            "producer": _producer_of(definition.topic),
            "tenant": "1671",
            "aggregate_id": str(key) if key not in (None, "") else "aggregate-1",
            "aggregate_version": 1,
            "correlation_id": "5f1c2a9e-8d8b-4d4a-9a57-2f64c8f0b111",
            "causation_id": None,
            "payload": payload,
        },
    }


def _producer_of(topic: str) -> str:
    return next(service for service, t in SERVICE_TOPICS.items() if t == topic)


def build_asyncapi(catalog: EventCatalog = CATALOG, partitions: int = PRODUCTION_PARTITIONS) -> dict[str, Any]:
    by_topic: dict[str, list[EventDefinition]] = defaultdict(list)
    for definition in catalog.definitions():
        if definition.topic in SERVICE_TOPICS.values():  # internal work topics are not for subscribers
            by_topic[definition.topic].append(definition)

    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Envelope": envelope_schema()}
    for service, topic in sorted(SERVICE_TOPICS.items()):
        definitions = by_topic.get(topic, [])
        channel = _channel_id(service)
        channels[channel] = {
            "address": topic,
            "title": f"{service} events",
            "description": (
                f"Published only by the {service} service (its own workers consume it as group "
                f"`{consumer_group(service)}`). Key per message below; order holds per key."
            ),
            "messages": {_message_id(d): {"$ref": f"#/components/messages/{_message_id(d)}"} for d in definitions},
            "bindings": {
                "kafka": {
                    "topic": topic,
                    "partitions": partitions,
                    "topicConfiguration": {
                        "cleanup.policy": ["delete"],
                        "retention.ms": EVENT_RETENTION_DAYS * DAY_MS,
                    },
                    "bindingVersion": "0.5.0",
                }
            },
        }
        if definitions:
            operations[f"receive_{service}_events"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{channel}"},
                "summary": f"Subscribe to the {service} service's events.",
                "messages": [{"$ref": f"#/channels/{channel}/messages/{_message_id(d)}"} for d in definitions],
            }
        for definition in definitions:
            ident = _message_id(definition)
            schema = event_schema(definition)
            schema.pop("$schema")
            schema.pop("$id")
            schemas[ident] = schema
            latest = catalog.latest(definition.event_type).version
            message: dict[str, Any] = {
                "name": definition.event_type,
                "title": f"{definition.event_type} v{definition.version}",
                "summary": definition.description,
                "description": (
                    f"Key: `payload.{definition.key}` (falls back to `aggregate_id` when empty). "
                    + (
                        "Current version: producers publish this one."
                        if definition.version == latest
                        else f"Superseded by v{latest}; still readable, upcast by Kinerja consumers."
                    )
                ),
                "contentType": "application/json",
                "headers": {
                    "type": "object",
                    "properties": {
                        "event_type": {"type": "string", "const": definition.event_type},
                        "event_id": {"type": "string", "format": "uuid"},
                    },
                },
                "payload": {"$ref": f"#/components/schemas/{ident}"},
                "bindings": {
                    "kafka": {
                        "key": {"type": "string", "description": f"payload.{definition.key}"},
                        "bindingVersion": "0.5.0",
                    }
                },
            }
            sample = _sample(definition)
            if sample is not None:
                message["examples"] = [_example_message(definition, sample)]
            messages[ident] = message

    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Kinerja integration events",
            "version": "1.0.0",
            "description": DESCRIPTION + "\n## Example subscriber (Python)\n```python\n" + EXAMPLE_SUBSCRIBER + "```\n",
        },
        "defaultContentType": "application/json",
        "servers": {
            "production": {
                "host": "kafka.kinerja.example:9092",
                "protocol": "kafka",
                "description": "The deployment's Kafka bootstrap servers (ask the platform team for the address).",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def render() -> dict[str, str]:
    """Every generated file (path relative to docs/events → text)."""
    files = {ASYNCAPI_FILE: yaml.safe_dump(build_asyncapi(), sort_keys=False, allow_unicode=True, width=110)}
    for definition in public_definitions():
        files[f"schemas/{_message_id(definition)}.json"] = (
            json.dumps(event_schema(definition), indent=2, ensure_ascii=False) + "\n"
        )
    header = '"""Example: subscribe to Kinerja evaluation results (see asyncapi.yaml)."""\n\n'
    files["example_subscriber.py"] = header + EXAMPLE_SUBSCRIBER
    return files


def stale_files(directory: Path = DOCS) -> list[str]:
    """Generated files that differ from the committed ones, are missing, or are no longer generated."""
    expected = render()
    stale = [name for name, text in expected.items() if _read(directory / name) != text]
    if (directory / "schemas").is_dir():
        stale += [
            f"schemas/{p.name}" for p in (directory / "schemas").glob("*.json") if f"schemas/{p.name}" not in expected
        ]
    return sorted(stale)


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def write(directory: Path = DOCS) -> None:
    files = render()
    (directory / "schemas").mkdir(parents=True, exist_ok=True)
    for old in (directory / "schemas").glob("*.json"):
        if f"schemas/{old.name}" not in files:
            old.unlink()
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.catalog", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["write", "check"])
    args = parser.parse_args(argv)
    if args.command == "write":
        write()
        print(f"wrote {DOCS.relative_to(REPO)}")
        return 0
    stale = stale_files()
    if stale:
        print("stale event catalog (run `make docs`):", *stale, sep="\n  ", file=sys.stderr)
        return 1
    print("event catalog is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
