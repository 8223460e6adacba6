"""Kinerja's common code: event envelope and contracts, event store, outbox, consumer, config, auth.

Every service may import this package; no service imports another service.
"""
