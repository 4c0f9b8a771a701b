"""Benchmarks run by hand against the dev stack (not part of the test suite)."""
