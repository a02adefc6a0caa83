"""All notebooks at once, each in its own process with its own LocalCluster (as pytest-xdist or
several users on one machine would run them): no port, file or scratch-folder clashes, and the
same checked outputs as the stored notebooks."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest

from coursekit.notebooks import CHECK_TAG
from coursekit.params import notebooks

pytestmark = pytest.mark.slow


def _checked_outputs(path) -> list[str]:
    cells = nbformat.read(path, as_version=4).cells
    return ["".join(o.get("text", "") for o in c.get("outputs", []) if o.get("output_type") == "stream")
            for c in cells if c.cell_type == "code" and CHECK_TAG in c.get("metadata", {}).get("tags", [])]


def test_every_notebook_at_the_same_time(tmp_path):
    series = notebooks()
    runs = {}
    for nb in series:
        prefix = nb.name[:2]
        # the binder profile (the notebooks' defaults): the stored checked outputs were made with it
        runs[nb] = subprocess.Popen([sys.executable, "-m", "coursekit", "run", "--profile", "binder",
                                     "--only", prefix, "--output", str(tmp_path / prefix)],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    failures = {}
    for nb, proc in runs.items():
        out, _ = proc.communicate(timeout=1200)
        if proc.returncode != 0:
            failures[nb.name] = out[-2000:]
    assert not failures, failures
    for nb in series:
        executed = tmp_path / nb.name[:2] / "binder" / nb.name
        assert _checked_outputs(executed) == _checked_outputs(nb), nb.name
        results = json.loads(executed.with_name(f"{nb.stem}.results.json").read_text())
        assert results, nb.name
