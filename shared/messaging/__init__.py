"""Kafka adapters: producer/consumer settings, topic provisioning, outbox relay, idempotent consumer."""
