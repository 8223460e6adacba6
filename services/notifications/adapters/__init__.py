"""adapters layer of the notifications service."""
