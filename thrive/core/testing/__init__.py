"""Helpers for tests, the demo and the benchmarks (never imported by the running service)."""
