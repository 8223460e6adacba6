"""End-to-end tests: the four services as separate processes over a real broker."""
