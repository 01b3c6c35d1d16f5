"""Benchmarks of the running system; each prints figures (they are not timed tests)."""
