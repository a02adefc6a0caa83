"""Benchmarks of the course's workloads: ``python -m benchmarks WORKLOAD --help``.

- ``registry``: the workloads (one module each: eda, grid, reviews, tpot_search), by name;
- ``harness``: clusters, timing, progress and task timing, shared by the workloads;
- ``metrics``: speedup, efficiency, busy share, targets and why they were missed;
- ``render``: console tables and the report's Markdown; ``plots``: the PNGs; ``report``:
  REPORT.md and the README's summary from ``results/*.json``;
- ``notebook_code``: the notebooks' cells tagged ``workload``, which the workloads measure.
"""
