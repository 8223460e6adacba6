"""Unit tests of the shared eventing core."""
