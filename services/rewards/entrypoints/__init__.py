"""entrypoints layer of the rewards service."""
