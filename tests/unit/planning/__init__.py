"""Unit tests of the planning service."""
