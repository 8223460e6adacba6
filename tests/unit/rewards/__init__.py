"""Tests of the rewards service."""
