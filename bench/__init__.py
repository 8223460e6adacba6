"""Benchmarks (scripts that print figures; not tests). `python -m bench.year_end --help`."""
