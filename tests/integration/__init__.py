"""Integration tests against real Kafka and PostgreSQL."""
