"""A notebook's key results as JSON, for the tests and the run summary."""

from __future__ import annotations

import json
from pathlib import Path


def save_results(results_path, results: dict) -> dict:
    """Write ``results`` to ``results_path`` as JSON when a path is given; return them.

    Notebooks call this in their last cells with the numbers they computed, so that a
    papermill run (tests, the runner) can check facts without parsing cell outputs.
    """
    if results_path:
        path = Path(results_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=1, sort_keys=True, default=str))
    return results


#: What a worker logs when memory is short: it spills, pauses, or is about to be restarted.
MEMORY_WARNINGS = (
    "Pausing worker",
    "Unmanaged memory use is high",
    "Spilling",
    "memory budget",
    "Restarting worker",
    "exceeded 95% memory budget",
)


def worker_memory_warnings(client) -> list[str]:
    """The memory warnings every worker has logged so far (empty: none paused or spilled).

    Notebooks save this with their results so that a test can assert that a profile's run fits
    its workers' ``memory_limit`` (a paused worker stalls the whole computation)."""
    found = []
    for worker, lines in sorted(client.get_worker_logs().items()):
        for _level, message in lines:
            if any(text in message for text in MEMORY_WARNINGS):
                found.append(f"{worker}: {message.splitlines()[0]}")
    return found
