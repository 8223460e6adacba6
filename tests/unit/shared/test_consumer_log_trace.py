"""A consumer's warnings and dead-letter lines carry the event's correlation and causation ids."""

from __future__ import annotations

import io
import json
import logging

from shared.logs import JsonFormatter
from tests.unit.shared.conftest import FakeProducer
from tests.unit.shared.test_consumer import Recorder, make_consumer, record, returned_event


def test_retry_and_dead_letter_logs_carry_the_events_ids(store):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("test"))
    logger = logging.getLogger("shared.messaging.consumer")
    logger.addHandler(handler)
    try:
        event = returned_event()
        consumer = make_consumer(store, Recorder(fail_times=5), FakeProducer(), max_attempts=2)
        assert consumer.handle(record(event.to_json())).status == "dead_lettered"
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["level"] for line in lines] == ["WARNING", "WARNING", "ERROR"]
    for line in lines:
        assert line["correlation_id"] == event.correlation_id
        assert line["causation_id"] == event.event_id
