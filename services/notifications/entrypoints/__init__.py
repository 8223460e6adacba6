"""entrypoints layer of the notifications service."""
