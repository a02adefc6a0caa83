"""Benchmarks of the course's workloads: ``python -m benchmarks WORKLOAD --help``."""
