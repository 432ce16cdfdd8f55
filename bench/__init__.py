"""Benchmarks: run with `make bench`; each rewrites its own section of docs/benchmarks.md."""
