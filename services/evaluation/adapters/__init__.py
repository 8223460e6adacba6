"""adapters layer of the evaluation service."""
