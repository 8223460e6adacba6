"""Local (non-Docker) Kafka and PostgreSQL servers for development runs and tests."""
