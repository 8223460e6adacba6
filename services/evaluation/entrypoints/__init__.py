"""entrypoints layer of the evaluation service."""
