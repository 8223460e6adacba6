"""Kinerja test suite."""
