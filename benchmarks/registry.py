"""The workloads, by name, and how result files name them.

A workload is one module that declares:

- ``NAME`` (the subcommand), ``HELP`` (one line) and ``SINGLE_MACHINE`` (what its Dask runs are
  compared with, for the report's introduction);
- ``SIZES``: its settings for ``all --quick`` (minutes on 2 cores) and ``all`` (the report's
  sizes), by option name;
- ``add_arguments(parser)``: its own options (the common ones — ``--workers``,
  ``--scheduler-address``, ``--json``, ``--label`` — are the entry point's);
- ``run(workers, *, scheduler_address, checkpoint, **options)``: measures and returns a results
  dictionary with ``"workload": NAME``; ``checkpoint(results)`` after every worker count;
- ``title``, ``measurements``, ``notes`` and ``targets`` of a results dictionary (see
  ``benchmarks.metrics`` for a measurement's keys).

Add a module to ``WORKLOADS`` and the entry point, ``all``, the report and the plots know it.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import eda, grid, reviews, tpot_search

WORKLOADS = {module.NAME: module for module in (eda, grid, reviews, tpot_search)}


def workload_of(results: dict) -> str:
    """The workload a result dictionary holds (files written before the key existed have none)."""
    if "workload" in results:
        return results["workload"]
    return "grid" if "grid" in results else "eda"


def workloads_in(document: dict) -> dict[str, dict]:
    """{workload: results} of a result file: one workload's results, or ``all``'s several."""
    if "workloads" in document:
        return document["workloads"]
    return {workload_of(document): document}


def load(path) -> dict:
    return json.loads(Path(path).read_text())
