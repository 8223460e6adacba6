"""Contract tests: every event schema round-trips, and every version ever published still loads."""
