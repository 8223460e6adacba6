"""Persistence shared by every service: engine setup, event store, outbox, inbox, unit of work."""
