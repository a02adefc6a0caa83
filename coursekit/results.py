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
