"""Example: subscribe to Kinerja evaluation results (see asyncapi.yaml)."""

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
