"""entrypoints layer of the planning service."""
