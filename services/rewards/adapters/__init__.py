"""adapters layer of the rewards service."""
