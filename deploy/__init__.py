"""Deployment helpers for Kinerja."""
