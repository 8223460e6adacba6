"""domain layer of the planning service."""
