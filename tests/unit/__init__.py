"""Unit tests: domain rules and handlers, no broker (SQLite files stand in for PostgreSQL)."""
