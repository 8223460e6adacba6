"""domain layer of the evaluation service (no I/O)."""
