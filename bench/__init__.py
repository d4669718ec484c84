"""Benchmarks: `make bench` (python -m bench). Results are recorded in BENCHMARKS.md."""
