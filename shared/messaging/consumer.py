"""Idempotent consumer with a dead-letter topic.

For each record: decode and validate the envelope, upcast it through the catalog, then run the
handler in a unit of work that also records the event id as processed — one transaction. Offsets
are committed to Kafka only after that transaction committed. A redelivered event id is skipped.

Failures:
- the message is larger than `max_event_bytes` (1 MiB, the broker's default message limit): permanent,
  dead-lettered unread, so an oversized value never reaches the JSON parser;
- the message is not a valid event (bad JSON, envelope or payload, unknown type), or the handler
  refuses it with a DomainError or finds it invalid (InvalidEvent, e.g. a field of a partly read
  event it forwards): permanent; it goes to `<topic>.dlq` at once;
- the service's database is unreachable: nothing is acknowledged, the partitions are rewound and
  the consumer backs off until it is back (no event is dead-lettered for an outage);
- anything else: retried up to `max_attempts` with backoff, then dead-lettered with the count.
The consumer keeps going after a dead-letter.

Batches (`batch_size` > 1, the default): the records of one poll are processed in transactions of
up to `batch_size` events instead of one each — at year-end the per-transaction cost (BEGIN,
the inbox lookup, the inbox insert, COMMIT and its fsync) was most of a consumer's time. Every
guarantee stays: the handlers' writes and the inbox rows of every event of the batch commit
together (idempotency), and the offsets are committed only after that commit. A batch is first
tried optimistically: the handlers run one after another with no savepoint, and the event-store,
outbox and inbox rows of the whole batch are inserted at the end in one statement each. If
anything in it fails, that transaction is dropped and the batch is redone with each event in its
own SAVEPOINT, so one that fails is rolled back alone: a permanent failure goes to the DLQ by
itself (with its reason) and the others commit; a transient one is retried in a fresh savepoint.
The events the handlers publish are validated at once and written to the outbox in one statement
at the end of the batch, in the same transaction; a failed event's are dropped with its savepoint.
A crash before the commit leaves nothing behind and no offset committed: the whole batch is
redelivered, and the inbox — written in the same transaction — makes that safe. If the commit
itself meets a duplicate inbox row (another copy of this consumer took the same events during a
rebalance), the batch is rolled back and its events are processed again one by one, where each
duplicate is recognised on its own.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from shared.context import Trace, traced
from shared.contracts import dlq_topic
from shared.errors import DomainError
from shared.events import Envelope, EventCatalog, InvalidEvent, UnknownEventType
from shared.metrics import (
    CONSUMER_BACKEND_UNAVAILABLE,
    record_batch,
    record_consumed,
    record_dead_lettered,
    update_consumer_lag,
)
from shared.storage import deferred_writes, session_cache
from shared.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, Envelope], None]
# A handler may carry `prefetch`: reads what a batch of its events needs up front (session_cache).
Prefetch = Callable[[UnitOfWork, list[Envelope]], None]
# A handler may carry `reads`: per event type, the payload fields it uses. Only those are validated
# and handed to it (a tolerant reader; see EventCatalog.read); types it does not name are read whole.
Reads = Mapping[str, Collection[str]]

MAX_EVENT_BYTES = 1024 * 1024


def reads_of(catalog: EventCatalog, handlers: Mapping[str, Handler]) -> dict[str, frozenset[str]]:
    """Per handled event type, the payload fields its handler names in `reads` (checked now)."""
    reads: dict[str, frozenset[str]] = {}
    for event_type, handler in handlers.items():
        named: Reads = getattr(handler, "reads", {})
        if event_type in named:
            reads[event_type] = catalog.check_reads(event_type, named[event_type])
    return reads


def _refusal(exc: DomainError | InvalidEvent) -> str:
    """Why a handler's permanent failure is dead-lettered: a domain rule refused the event, or a
    handler that reads the whole of a partly read event found a field invalid."""
    if isinstance(exc, InvalidEvent):
        return f"invalid event: {exc}"
    return f"refused by handler: {exc.code}: {exc}"


class BackendUnavailable(Exception):
    """The service's own database cannot be reached; retry the same record later."""


class Record(Protocol):
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]] | None


@dataclass
class Outcome:
    status: str  # processed | duplicate | ignored | dead_lettered
    event_type: str | None = None
    reason: str | None = None


class IdempotentConsumer:
    def __init__(
        self,
        *,
        name: str,
        catalog: EventCatalog,
        handlers: Mapping[str, Handler],
        uow_factory: Callable[[], UnitOfWork],
        dlq_producer: KafkaProducer,
        max_attempts: int = 3,
        retry_backoff_s: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
        max_event_bytes: int = MAX_EVENT_BYTES,
        batch_size: int = 200,
    ) -> None:
        unknown = set(handlers) - {d.event_type for d in catalog.definitions()}
        if unknown:
            raise ValueError(f"handlers for event types not in the catalog: {sorted(unknown)}")
        self.name = name
        self._catalog = catalog
        self._handlers = dict(handlers)
        self._reads = reads_of(catalog, self._handlers)
        self._uow_factory = uow_factory
        self._dlq_producer = dlq_producer
        self._max_attempts = max(1, max_attempts)
        self._retry_backoff_s = retry_backoff_s
        self._sleep = sleep
        self._max_event_bytes = max_event_bytes
        self.batch_size = max(1, batch_size)

    # --- one record -------------------------------------------------------------------------

    def handle(self, record: Record) -> Outcome:
        """Process one record to a final outcome, or raise BackendUnavailable."""
        envelope, outcome = self._decode(record)
        if outcome is not None:
            return outcome
        assert envelope is not None
        handler = self._handlers[envelope.event_type]

        trace = Trace(correlation_id=envelope.correlation_id, causation_id=envelope.event_id)
        # The retries, warnings and a dead-letter log line carry the event's ids too.
        with traced(trace):
            for attempt in range(1, self._max_attempts + 1):
                try:
                    return self._process(record, envelope, handler)
                except (OperationalError, InterfaceError) as exc:
                    raise BackendUnavailable(str(exc)) from exc
                except (DomainError, InvalidEvent) as exc:
                    return self._dead_letter(record, _refusal(exc), attempts=attempt, event_type=envelope.event_type)
                except Exception as exc:  # noqa: BLE001 - any other failure is retried, then dead-lettered
                    final = self._after_failure(record, envelope, attempt, exc)
                    if final is not None:
                        return final
        raise AssertionError("unreachable")

    def _decode(self, record: Record) -> tuple[Envelope | None, Outcome | None]:
        """The record's event, or the outcome it already has: dead-lettered when oversized or not a
        valid event of the contract (permanent), ignored when no handler wants its type (its payload
        unread: a reader checks only what it uses)."""
        size = len(record.value or b"")
        if size > self._max_event_bytes:
            reason = f"event too large: {size} bytes > {self._max_event_bytes}"
            return None, self._dead_letter(record, reason, attempts=1)
        try:
            envelope = Envelope.from_json(record.value)
            if envelope.event_type not in self._handlers:
                if envelope.event_type not in self._catalog:
                    raise UnknownEventType(envelope.event_type, envelope.schema_version)
                return envelope, Outcome("ignored", envelope.event_type)
            return self._catalog.read(envelope, self._reads.get(envelope.event_type)), None
        except InvalidEvent as exc:
            return None, self._dead_letter(record, f"invalid event: {exc}", attempts=1)

    def _process(self, record: Record, envelope: Envelope, handler: Handler) -> Outcome:
        with self._uow_factory() as uow:
            if uow.inbox.seen(self.name, envelope.event_id):
                return Outcome("duplicate", envelope.event_type)
            handler(uow, envelope)
            uow.inbox.record(self.name, envelope, record.topic, record.partition, record.offset)
            try:
                uow.commit()
            except IntegrityError:
                # Another copy of this consumer recorded the same event id first (a rebalance).
                if self._already_processed(envelope.event_id):
                    return Outcome("duplicate", envelope.event_type)
                raise
        return Outcome("processed", envelope.event_type)

    # --- a batch of records in one transaction ------------------------------------------------

    def handle_batch(self, records: list[Any]) -> list[Outcome]:
        """Process records to outcomes (in their order) in one transaction, or raise BackendUnavailable."""
        decoded = [(record, *self._decode(record)) for record in records]
        try:
            return self._process_batch(decoded)
        except (OperationalError, InterfaceError) as exc:
            raise BackendUnavailable(str(exc)) from exc
        except IntegrityError:
            # A duplicate inbox row at commit: another copy processed some of these events first.
            log.info("consumer %s: batch overlapped another copy's; processing it event by event", self.name)
            return [outcome or self.handle(record) for record, _, outcome in decoded]

    def _process_batch(self, decoded: list[tuple[Any, Envelope | None, Outcome | None]]) -> list[Outcome]:
        outcomes: list[Outcome | None] = [outcome for _, _, outcome in decoded]
        pending = [(i, record, envelope) for i, (record, envelope, outcome) in enumerate(decoded) if outcome is None]
        if not pending:
            return [o for o in outcomes if o is not None]
        if len(pending) > 1:
            try:
                return self._process_batch_optimistically(outcomes, pending)
            except (OperationalError, InterfaceError):
                raise
            except Exception as exc:  # noqa: BLE001 - any failure: redo the batch with one savepoint per event
                log.info("consumer %s: batch of %d redone event by event: %s", self.name, len(pending), exc)
        return self._process_batch_in_savepoints(outcomes, pending)

    def _process_batch_optimistically(
        self, outcomes: list[Outcome | None], pending: list[tuple[int, Any, Envelope | None]]
    ) -> list[Outcome]:
        """The common case, every event of the batch succeeding, without a savepoint per event: the
        handlers run one after another in one transaction, their event-store rows, outbox rows and
        inbox rows are inserted at the end in one statement each. Anything raised (a refused
        event, a version taken by another writer, a duplicate inbox row) abandons the transaction;
        the caller then redoes the batch in savepoints, where each failure is isolated."""
        outcomes = list(outcomes)
        with self._uow_factory() as uow:
            uow.outbox.defer()
            uow.events.defer()
            deferred_writes.defer(uow.session)
            seen = uow.inbox.seen_many(self.name, [envelope.event_id for _, _, envelope in pending if envelope])
            self._prefetch(uow, [envelope for _, _, envelope in pending if envelope and envelope.event_id not in seen])
            processed: list[tuple[Envelope, Any]] = []
            for i, record, envelope in pending:
                assert envelope is not None
                if envelope.event_id in seen:
                    outcomes[i] = Outcome("duplicate", envelope.event_type)
                    continue
                seen.add(envelope.event_id)
                with traced(Trace(correlation_id=envelope.correlation_id, causation_id=envelope.event_id)):
                    self._handlers[envelope.event_type](uow, envelope)
                outcomes[i] = Outcome("processed", envelope.event_type)
                processed.append((envelope, record))
            deferred_writes.flush(uow.session)
            uow.events.flush()
            uow.outbox.flush()
            uow.inbox.record_many(self.name, processed)
            uow.commit()
        return [o for o in outcomes if o is not None]

    def _prefetch(self, uow: UnitOfWork, envelopes: list[Envelope]) -> None:
        """Let the handlers read what the whole batch needs in a few queries (a handler's optional
        `prefetch(uow, envelopes)` attribute, called once with the envelopes of the batch it handles)."""
        by_prefetch: dict[Prefetch, list[Envelope]] = {}
        for envelope in envelopes:
            prefetch = getattr(self._handlers[envelope.event_type], "prefetch", None)
            if prefetch is not None:
                by_prefetch.setdefault(prefetch, []).append(envelope)
        for prefetch, theirs in by_prefetch.items():
            prefetch(uow, theirs)

    def _process_batch_in_savepoints(
        self, outcomes: list[Outcome | None], pending: list[tuple[int, Any, Envelope | None]]
    ) -> list[Outcome]:
        with self._uow_factory() as uow:
            # The batch's outbox rows go in one statement at the end (still in this transaction).
            uow.outbox.defer()
            # One query for the whole batch instead of one per event.
            seen = uow.inbox.seen_many(self.name, [envelope.event_id for _, _, envelope in pending if envelope])
            processed: list[tuple[Envelope, Any]] = []
            for i, record, envelope in pending:
                assert envelope is not None
                if envelope.event_id in seen:
                    outcomes[i] = Outcome("duplicate", envelope.event_type)
                    continue
                seen.add(envelope.event_id)  # the same event twice in one batch: the second is a duplicate
                outcomes[i] = self._process_in_savepoint(uow, record, envelope)
                if outcomes[i].status == "processed":
                    processed.append((envelope, record))
            uow.outbox.flush()
            uow.inbox.record_many(self.name, processed)
            uow.commit()
        return [o for o in outcomes if o is not None]

    def _process_in_savepoint(self, uow: UnitOfWork, record: Any, envelope: Envelope) -> Outcome:
        """One event of a batch: its writes in a SAVEPOINT, undone alone if it fails."""
        handler = self._handlers[envelope.event_type]
        with traced(Trace(correlation_id=envelope.correlation_id, causation_id=envelope.event_id)):
            for attempt in range(1, self._max_attempts + 1):
                savepoint = uow.session.begin_nested()
                queued = uow.outbox.mark()
                try:
                    handler(uow, envelope)
                    savepoint.commit()
                    return Outcome("processed", envelope.event_type)
                except (OperationalError, InterfaceError):
                    raise  # the database is away: the whole batch is retried later
                except (DomainError, InvalidEvent) as exc:
                    savepoint.rollback()
                    session_cache.clear(uow.session)  # nothing it read or wrote may be served later
                    uow.outbox.discard_after(queued)  # its events are undone with its writes
                    return self._dead_letter(record, _refusal(exc), attempts=attempt, event_type=envelope.event_type)
                except Exception as exc:  # noqa: BLE001 - any other failure is retried, then dead-lettered
                    savepoint.rollback()
                    session_cache.clear(uow.session)
                    uow.outbox.discard_after(queued)
                    final = self._after_failure(record, envelope, attempt, exc)
                    if final is not None:
                        return final
        raise AssertionError("unreachable")

    def _after_failure(self, record: Record, envelope: Envelope, attempt: int, exc: Exception) -> Outcome | None:
        """A handler failed on a (possibly transient) error: log it, then back off for another
        attempt (None) or, after the last one, dead-letter the record."""
        log.warning(
            "consumer %s: %s at %s-%d@%d failed (attempt %d/%d): %s",
            self.name,
            envelope.event_type,
            record.topic,
            record.partition,
            record.offset,
            attempt,
            self._max_attempts,
            exc,
        )
        if attempt == self._max_attempts:
            reason = "".join(traceback.format_exception_only(exc)).strip()
            return self._dead_letter(
                record, f"handler failed: {reason}", attempts=attempt, event_type=envelope.event_type
            )
        self._sleep(self._retry_backoff_s * 2 ** (attempt - 1))
        return None

    def _already_processed(self, event_id: str) -> bool:
        with self._uow_factory() as uow:
            return uow.inbox.seen(self.name, event_id)

    def _dead_letter(self, record: Record, reason: str, *, attempts: int, event_type: str | None = None) -> Outcome:
        headers = [(k, v) for k, v in (record.headers or []) if not k.startswith("dlq.")]
        headers += [
            ("dlq.source.topic", record.topic.encode()),
            ("dlq.source.partition", str(record.partition).encode()),
            ("dlq.source.offset", str(record.offset).encode()),
            ("dlq.consumer", self.name.encode()),
            ("dlq.error", reason[:4000].encode()),
            ("dlq.attempts", str(attempts).encode()),
            ("dlq.failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        future = self._dlq_producer.send(dlq_topic(record.topic), key=record.key, value=record.value, headers=headers)
        try:
            future.get(timeout=60)
        except Exception as exc:  # the offset must not move past a record we could not park
            raise BackendUnavailable(f"dead-letter publish failed: {exc}") from exc
        record_dead_lettered(self.name, record.topic, event_type)
        log.error(
            "consumer %s: dead-lettered %s-%d@%d after %d attempt(s): %s",
            self.name,
            record.topic,
            record.partition,
            record.offset,
            attempts,
            reason,
        )
        return Outcome("dead_lettered", event_type, reason)

    # --- the poll loop ----------------------------------------------------------------------

    def poll_once(self, consumer: KafkaConsumer, timeout_ms: int = 500) -> list[Outcome]:
        """Process one poll's batch; commit the offsets of every record that reached an outcome."""
        batch: dict[TopicPartition, list[Any]] = consumer.poll(timeout_ms=timeout_ms)
        outcomes: list[Outcome] = []
        done: dict[TopicPartition, int] = {}
        try:
            if self.batch_size == 1:
                for tp, records in batch.items():
                    for record in records:
                        started = time.perf_counter()
                        outcome = self.handle(record)
                        record_consumed(self.name, outcome.event_type, outcome.status, time.perf_counter() - started)
                        record_batch(self.name, 1)
                        outcomes.append(outcome)
                        done[tp] = record.offset + 1
            else:
                flat = [(tp, record) for tp, records in batch.items() for record in records]
                for start in range(0, len(flat), self.batch_size):
                    chunk = flat[start : start + self.batch_size]
                    started = time.perf_counter()
                    results = self.handle_batch([record for _, record in chunk])
                    each = (time.perf_counter() - started) / len(chunk)
                    record_batch(self.name, len(chunk))
                    for (tp, record), outcome in zip(chunk, results, strict=True):
                        record_consumed(self.name, outcome.event_type, outcome.status, each)
                        outcomes.append(outcome)
                        done[tp] = record.offset + 1
        except BackendUnavailable:
            self._commit(consumer, done)
            for tp, records in batch.items():  # rewind to the first record without an outcome
                consumer.seek(tp, done.get(tp, records[0].offset))
            raise
        self._commit(consumer, done)
        return outcomes

    def _commit(self, consumer: KafkaConsumer, done: dict[TopicPartition, int]) -> None:
        if not done:
            return
        try:
            consumer.commit({tp: OffsetAndMetadata(offset, "", -1) for tp, offset in done.items()})
        except CommitFailedError as exc:
            # The group rebalanced; the new owner re-reads these records and the inbox skips them.
            log.warning("consumer %s: offset commit failed after a rebalance: %s", self.name, exc)
        except KafkaError as exc:
            # The broker is away (e.g. a commit timeout while it restarts). The records are processed and in
            # the inbox; the next commit covers them, and a re-read before that is skipped as a duplicate.
            log.warning("consumer %s: offset commit failed, the broker is unavailable: %s", self.name, exc)

    def run(self, consumer: KafkaConsumer, stop: threading.Event, max_backoff_s: float = 30.0) -> None:
        backoff = 0.5
        while not stop.is_set():
            try:
                self.poll_once(consumer)
                backoff = 0.5
                self._observe_lag(consumer)
            except BackendUnavailable as exc:
                CONSUMER_BACKEND_UNAVAILABLE.labels(self.name).inc()
                log.error("consumer %s: database unavailable, retrying in %.1fs: %s", self.name, backoff, exc)
                stop.wait(backoff)
                backoff = min(backoff * 2, max_backoff_s)
            except KafkaError as exc:  # the broker is away: keep the process, poll again after a pause
                CONSUMER_BACKEND_UNAVAILABLE.labels(self.name).inc()
                log.error("consumer %s: broker unavailable, retrying in %.1fs: %s", self.name, backoff, exc)
                stop.wait(backoff)
                backoff = min(backoff * 2, max_backoff_s)

    def _observe_lag(self, consumer: KafkaConsumer) -> None:
        try:
            update_consumer_lag(self.name, consumer)
        except Exception as exc:  # noqa: BLE001 - a metric must never stop consumption
            log.debug("consumer %s: lag not observed: %s", self.name, exc)
