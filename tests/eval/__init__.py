"""Labelled data for measuring the text assist (shared by the tests and the benchmarks)."""
