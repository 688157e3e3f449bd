"""Benchmarks: each bench_*.py module has run() -> None that prints `BENCH <name> <value> <unit>` lines."""
