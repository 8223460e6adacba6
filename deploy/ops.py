"""Operator CLI: topics, consumer lag, dead letters, outbox, projection rebuilds.

    python -m deploy.ops topics provision [--partitions N] [--replication-factor R]
    python -m deploy.ops topics status                 # partitions, retention, end offsets
    python -m deploy.ops lag [--group kinerja-evaluation]
    python -m deploy.ops dlq list TOPIC [--limit 50]    # TOPIC: the source or the .dlq topic
    python -m deploy.ops dlq replay TOPIC [--event-id ID ...] [--dry-run]
    python -m deploy.ops --service planning outbox      # needs the service's DATABASE_URL
    python -m deploy.ops --service planning rebuild [--projection skp_view]

In a container the image's entrypoint runs it for its own service: `docker run IMAGE ops lag`,
`kubectl exec deploy/planning-worker -- /bin/sh /app/deploy/entrypoint.sh ops outbox`.
Configuration is the services' own (KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL, ...). Add --json to
any command for machine-readable output.

Replay: each dead letter is re-published to its source topic with its original key, value and
headers (plus `dlq.replayed_from`), once — the replay tool remembers its position per DLQ topic
in the consumer group `kinerja-dlq-replay`, so running it again replays only newer dead letters.
Consumers that had already processed the event skip it by event_id; the one that failed
processes it now (fix the cause first). Order: a replayed event arrives after later events of
the same key — the handlers' version checks must tolerate that (they do for idempotency).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType, NewPartitions, NewTopic
from kafka.errors import TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata, TopicPartition

from deploy.topics import TopicSpec, consumer_group, topic_plan
from shared.config import Settings
from shared.contracts import SERVICE_TOPICS, dlq_topic
from shared.messaging.kafka import create_producer

REPLAY_GROUP = "kinerja-dlq-replay"
SERVICES = tuple(SERVICE_TOPICS)


def _bootstrap() -> str:
    return Settings.from_env("ops").kafka_bootstrap_servers


def _admin(bootstrap: str) -> KafkaAdminClient:
    return KafkaAdminClient(bootstrap_servers=bootstrap, client_id="kinerja-ops")


def _end_offsets(bootstrap: str, partitions: Sequence[TopicPartition]) -> dict[TopicPartition, int]:
    if not partitions:
        return {}
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id="kinerja-ops", enable_auto_commit=False)
    try:
        return consumer.end_offsets(list(partitions))
    finally:
        consumer.close()


def _partitions_of(admin: KafkaAdminClient, topics: Sequence[str]) -> dict[str, int]:
    if not topics:
        return {}
    described = admin.describe_topics(list(topics))
    return {t["name"]: len(t["partitions"]) for t in described if not t.get("error_code")}


# --- topics ----------------------------------------------------------------------------------


def provision_topics(
    bootstrap: str, plan: Sequence[TopicSpec], replication_factor: int = 1, *, grow: bool = True
) -> list[dict[str, Any]]:
    """Create missing topics with their partitions and configuration; grow partitions that are fewer
    than planned (never shrink: Kafka cannot); set retention on existing ones. Idempotent."""
    report: list[dict[str, Any]] = []
    admin = _admin(bootstrap)
    try:
        existing = set(admin.list_topics())
        for spec in plan:
            action = "exists"
            if spec.name not in existing:
                try:
                    admin.create_topics(
                        [NewTopic(spec.name, spec.partitions, replication_factor, topic_configs=spec.config)]
                    )
                    action = "created"
                except TopicAlreadyExistsError:
                    pass
            if action == "exists":
                current = _partitions_of(admin, [spec.name]).get(spec.name, 0)
                if grow and 0 < current < spec.partitions:
                    admin.create_partitions({spec.name: NewPartitions(spec.partitions)})
                    action = f"grown {current}->{spec.partitions}"
                retention = {"retention.ms": spec.config["retention.ms"]}
                # Incremental: only retention changes, the topic's other settings stay.
                admin.alter_configs(
                    [ConfigResource(ConfigResourceType.TOPIC, spec.name, configs=retention)], incremental=True
                )
            report.append({"topic": spec.name, "partitions": spec.partitions, "action": action})
    finally:
        admin.close()
    return report


def topics_status(bootstrap: str, plan: Sequence[TopicSpec]) -> list[dict[str, Any]]:
    admin = _admin(bootstrap)
    try:
        existing = set(admin.list_topics())
        names = [s.name for s in plan if s.name in existing]
        partitions = _partitions_of(admin, names)
        configs: dict[str, dict[str, str]] = {}
        if names:
            resources = [ConfigResource(ConfigResourceType.TOPIC, n, configs=["retention.ms"]) for n in names]
            described = admin.describe_configs(resources, config_filter="all")
            for name, entries in (described.get("topic") or {}).items():
                configs[name] = {key: _config_value(data) for key, data in entries.items()}
    finally:
        admin.close()
    ends = _end_offsets(bootstrap, [TopicPartition(n, p) for n in names for p in range(partitions.get(n, 0))])
    rows = []
    for spec in plan:
        found = spec.name in existing
        rows.append(
            {
                "topic": spec.name,
                "exists": found,
                "partitions": partitions.get(spec.name, 0),
                "planned_partitions": spec.partitions,
                "retention_ms": configs.get(spec.name, {}).get("retention.ms"),
                "records_end_offset_sum": sum(o for tp, o in ends.items() if tp.topic == spec.name),
            }
        )
    return rows


def _config_value(data: Any) -> Any:
    return data.get("value") if isinstance(data, dict) else data


# --- consumer groups -------------------------------------------------------------------------


def group_lag(bootstrap: str, groups: Sequence[str]) -> list[dict[str, Any]]:
    """Committed offset, end offset and lag per partition of each group (uncommitted = whole partition)."""
    admin = _admin(bootstrap)
    try:
        known = {g["group_id"] for g in admin.list_groups()}
        present = [g for g in groups if g in known]
        committed: dict[str, dict[TopicPartition, OffsetAndMetadata]] = (
            admin.list_group_offsets(present) if present else {}
        )
        described = admin.describe_groups(present) if present else {}
        members = {group: len(info.get("members") or []) for group, info in described.items()}
    finally:
        admin.close()
    ends = _end_offsets(bootstrap, sorted({tp for offsets in committed.values() for tp in offsets}))
    rows = []
    for group in groups:
        offsets = committed.get(group, {})
        for tp in sorted(offsets):
            position = offsets[tp].offset
            end = ends.get(tp, 0)
            rows.append(
                {
                    "group": group,
                    "members": members.get(group, 0),
                    "topic": tp.topic,
                    "partition": tp.partition,
                    "committed": position,
                    "end": end,
                    "lag": max(0, end - max(position, 0)),
                }
            )
        if not offsets:
            rows.append({"group": group, "members": members.get(group, 0), "topic": None, "lag": None})
    return rows


# --- dead letters ----------------------------------------------------------------------------


def _dlq_name(topic: str) -> str:
    return topic if topic.endswith(".dlq") else dlq_topic(topic)


def _headers(record: Any) -> dict[str, str]:
    return {k: v.decode("utf-8", "replace") for k, v in (record.headers or [])}


def _read_all(bootstrap: str, topic: str, start: dict[TopicPartition, int] | None = None) -> list[Any]:
    """Every record of `topic` from `start` (default: the beginning) to its current end."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id="kinerja-ops", enable_auto_commit=False)
    try:
        parts = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        if not tps:
            return []
        consumer.assign(tps)
        ends = consumer.end_offsets(tps)
        for tp in tps:
            if tp in (start or {}):
                consumer.seek(tp, start[tp])  # type: ignore[index]
            else:
                consumer.seek_to_beginning(tp)  # the log start, which retention or deletion moves
        records: list[Any] = []
        remaining = {tp for tp in tps if consumer.position(tp) < ends[tp]}
        while remaining:
            for tp, batch in consumer.poll(timeout_ms=1000).items():
                records.extend(r for r in batch if r.offset < ends[tp])
                if consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
        return sorted(records, key=lambda r: (r.timestamp, r.partition, r.offset))
    finally:
        consumer.close()


def _describe_dead_letter(record: Any) -> dict[str, Any]:
    headers = _headers(record)
    try:
        value = json.loads(record.value)
        event_id, event_type = value.get("event_id"), value.get("event_type")
    except (ValueError, AttributeError, TypeError):
        event_id = headers.get("event_id")
        event_type = headers.get("event_type")
    return {
        "dlq_partition": record.partition,
        "dlq_offset": record.offset,
        "key": record.key.decode("utf-8", "replace") if record.key else None,
        "event_id": event_id,
        "event_type": event_type,
        "source": f"{headers.get('dlq.source.topic')}-{headers.get('dlq.source.partition')}"
        f"@{headers.get('dlq.source.offset')}",
        "consumer": headers.get("dlq.consumer"),
        "attempts": headers.get("dlq.attempts"),
        "failed_at": headers.get("dlq.failed_at"),
        "error": headers.get("dlq.error"),
        "replayed_before": headers.get("dlq.replayed_from"),
    }


def dlq_list(bootstrap: str, topic: str, limit: int = 50) -> list[dict[str, Any]]:
    return [_describe_dead_letter(r) for r in _read_all(bootstrap, _dlq_name(topic))][-limit:]


def dlq_replay(
    bootstrap: str,
    topic: str,
    *,
    event_ids: Sequence[str] = (),
    dry_run: bool = False,
    producer: KafkaProducer | None = None,
) -> list[dict[str, Any]]:
    """Re-publish the dead letters not replayed yet (or only `event_ids`) to their source topics."""
    name = _dlq_name(topic)
    admin = _admin(bootstrap)
    try:
        known = {g["group_id"] for g in admin.list_groups()}
        offsets = admin.list_group_offsets([REPLAY_GROUP]).get(REPLAY_GROUP, {}) if REPLAY_GROUP in known else {}
        done = {tp: om.offset for tp, om in offsets.items() if tp.topic == name and om.offset >= 0}
    finally:
        admin.close()
    records = _read_all(bootstrap, name, start=done)
    wanted = set(event_ids)
    replayed: list[dict[str, Any]] = []
    own_producer = producer is None and not dry_run
    if own_producer:
        producer = create_producer(bootstrap, client_id="kinerja-ops-replay")
    try:
        futures = []
        for record in records:
            info = _describe_dead_letter(record)
            if wanted and info["event_id"] not in wanted:
                continue
            source = _headers(record).get("dlq.source.topic") or name.removesuffix(".dlq")
            headers = [(k, v) for k, v in (record.headers or []) if not k.startswith("dlq.")]
            headers.append(("dlq.replayed_from", f"{name}-{record.partition}@{record.offset}".encode()))
            if not dry_run:
                assert producer is not None
                futures.append(producer.send(source, key=record.key, value=record.value, headers=headers))
            replayed.append({**info, "to": source})
        if not dry_run and producer is not None:
            producer.flush(timeout=60)
            for future in futures:
                future.get(timeout=60)
            if not wanted and records:  # remember how far we got; selective replays leave the mark alone
                _commit_replay_position(bootstrap, name, records)
    finally:
        if own_producer and producer is not None:
            producer.close(timeout=30)
    return replayed


def _commit_replay_position(bootstrap: str, topic: str, records: Sequence[Any]) -> None:
    positions: dict[TopicPartition, int] = {}
    for record in records:
        tp = TopicPartition(topic, record.partition)
        positions[tp] = max(positions.get(tp, 0), record.offset + 1)
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, group_id=REPLAY_GROUP, client_id="kinerja-ops", enable_auto_commit=False
    )
    try:
        consumer.commit({tp: OffsetAndMetadata(o, "", -1) for tp, o in positions.items()})
    finally:
        consumer.close()


# --- per-service: outbox and projections -----------------------------------------------------


def _bootstrap_module(service: str) -> Any:
    if service not in SERVICES:
        raise SystemExit(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    return importlib.import_module(f"services.{service}.bootstrap")


def outbox_status(service: str) -> dict[str, Any]:
    from shared.storage import outbox

    runtime = _bootstrap_module(service).create_runtime()
    backlog, oldest = outbox.backlog_of(runtime.engine, runtime.tables.outbox)
    return {
        "service": service,
        "backlog": backlog,
        "oldest_unpublished_at": oldest.isoformat() if oldest else None,
        "oldest_unpublished_age_s": round((datetime.now(UTC) - oldest).total_seconds(), 1) if oldest else None,
    }


def rebuild_projections(service: str, names: Sequence[str] = ()) -> list[dict[str, Any]]:
    from shared.projections import rebuild

    module = _bootstrap_module(service)
    hook = getattr(module, "projections", None)
    if hook is None:
        raise SystemExit(
            f"{service} declares no rebuildable projections yet (add projections(runtime) to its bootstrap)"
        )
    runtime = module.create_runtime()
    available = {p.name: p for p in hook(runtime)}
    unknown = set(names) - set(available)
    if unknown:
        raise SystemExit(f"unknown projection(s) {sorted(unknown)}; {service} has {sorted(available)}")
    chosen = [available[n] for n in names] if names else list(available.values())
    return [asdict(rebuild(runtime.uow(), runtime.tables.event_store, p)) for p in chosen]


# --- command line ----------------------------------------------------------------------------


def _print(rows: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows, indent=2, default=str))
        return
    items = rows if isinstance(rows, list) else [rows]
    if not items:
        print("(nothing)")
        return
    columns = list(dict.fromkeys(k for row in items for k in row))
    widths = {c: max(len(c), *(len(str(row.get(c, ""))) for row in items)) for c in columns}
    widths = {c: min(w, 60) for c, w in widths.items()}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in items:
        print("  ".join(str(row.get(c, ""))[: widths[c]].ljust(widths[c]) for c in columns))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.ops", description=__doc__.split("\n\n")[0])
    parser.add_argument("--service", default=None, help="the service (for outbox, rebuild, lag default group)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    sub = parser.add_subparsers(dest="command", required=True)
    topics = sub.add_parser("topics", help="provision or show the topics")
    topics.add_argument("action", choices=["provision", "status"])
    topics.add_argument("--partitions", type=int, default=None, help="default: KAFKA_TOPIC_PARTITIONS (6)")
    topics.add_argument("--replication-factor", type=int, default=None, help="default: KAFKA_REPLICATION_FACTOR (1)")
    lag = sub.add_parser("lag", help="consumer-group lag per partition")
    lag.add_argument("--group", action="append", help="default: every service's group (kinerja-<service>)")
    dlq = sub.add_parser("dlq", help="inspect or replay dead letters")
    dlq.add_argument("action", choices=["list", "replay"])
    dlq.add_argument("topic", help="source topic (kinerja.planning.events) or its .dlq")
    dlq.add_argument("--limit", type=int, default=50)
    dlq.add_argument("--event-id", action="append", default=[], help="replay only these (repeatable)")
    dlq.add_argument("--dry-run", action="store_true")
    sub.add_parser("outbox", help="the service's outbox backlog")
    rebuild = sub.add_parser("rebuild", help="rebuild the service's projections from its event store")
    rebuild.add_argument("--projection", action="append", default=[])
    args = parser.parse_args(argv)

    if args.command in ("outbox", "rebuild") and not args.service:
        parser.error(f"{args.command} needs --service")
    if args.command == "topics":
        plan = topic_plan(args.partitions)
        if args.action == "provision":
            replication = args.replication_factor or int(os.environ.get("KAFKA_REPLICATION_FACTOR", "1") or 1)
            _print(provision_topics(_bootstrap(), plan, replication), args.json)
        else:
            _print(topics_status(_bootstrap(), plan), args.json)
    elif args.command == "lag":
        every = [consumer_group(s) for s in SERVICES]
        groups = args.group or ([consumer_group(args.service)] if args.service else every)
        _print(group_lag(_bootstrap(), groups), args.json)
    elif args.command == "dlq":
        if args.action == "list":
            _print(dlq_list(_bootstrap(), args.topic, args.limit), args.json)
        else:
            _print(dlq_replay(_bootstrap(), args.topic, event_ids=args.event_id, dry_run=args.dry_run), args.json)
    elif args.command == "outbox":
        _print(outbox_status(args.service), args.json)
    elif args.command == "rebuild":
        _print(rebuild_projections(args.service, args.projection), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
