"""Benchmarks: plain scripts that print a table, each against a baseline measured in the same run."""
