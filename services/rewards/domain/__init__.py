"""domain layer of the rewards service."""
