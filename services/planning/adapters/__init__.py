"""adapters layer of the planning service."""
