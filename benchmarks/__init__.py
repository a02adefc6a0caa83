"""Benchmarks of the course's workloads: ``python -m benchmarks WORKLOAD --help``."""

import time


def timed(fn):
    """(seconds, result) of calling ``fn()``."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result
