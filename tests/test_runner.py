"""The run-all command: runs in order, summarises, and stops clearly at the first failure."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest

from coursekit.params import ParameterError
from coursekit.runner import SeriesFailed, run_series


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("results_path = ''\nsize = 3")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(s) for s in sources)]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(path))


@pytest.fixture
def series(tmp_path):
    nbs, profiles = tmp_path / "nbs", tmp_path / "profiles"
    nbs.mkdir(), profiles.mkdir()
    _notebook(
        nbs / "01-first.ipynb",
        "import json, pathlib\nblock = bytearray(50 * 2**20)\n"
        "pathlib.Path(results_path).write_text(json.dumps({'size': size}))",
    )
    _notebook(nbs / "02-second.ipynb", "raise ValueError(f'broken at size {size}')")
    _notebook(nbs / "03-third.ipynb", "print('never reached')")
    (profiles / "small.yml").write_text("01-first:\n  size: 5\n02-second: {}\n")
    return nbs, profiles


def test_runs_in_order_and_stops_at_the_first_failure(series, tmp_path):
    nbs, profiles = series
    out = tmp_path / "out"
    with pytest.raises(
        SeriesFailed, match=r"02-second.ipynb failed at cell In \[3\]: ValueError: broken at size 3"
    ):
        run_series("small", out, notebooks_dir=nbs, profiles_dir=profiles, log=lambda m: None)
    summary = json.loads((out / "small" / "summary.json").read_text())
    assert [(r["notebook"], r["status"]) for r in summary["notebooks"]] == [
        ("01-first.ipynb", "ok"),
        ("02-second.ipynb", "failed"),
    ]
    first = summary["notebooks"][0]
    assert first["parameters"]["size"] == 5 and first["wall_s"] > 0
    assert first["peak_rss_mb"] > 50  # the kernel held a 50 MiB block
    assert json.loads((out / "small" / "01-first.results.json").read_text()) == {"size": 5}
    assert not (out / "small" / "03-third.ipynb").exists()
    assert "| 01-first.ipynb | ok |" in (out / "small" / "summary.md").read_text()


def test_only_selects_notebooks_and_bad_parameters_fail_before_running(series, tmp_path):
    nbs, profiles = series
    runs = run_series(
        "small",
        tmp_path / "out",
        only=["01"],
        notebooks_dir=nbs,
        profiles_dir=profiles,
        log=lambda m: None,
    )
    assert [r.notebook for r in runs] == ["01-first.ipynb"]
    with pytest.raises(ParameterError, match="unknown parameter 'sise'"):
        run_series(
            "small",
            tmp_path / "out2",
            overrides={"sise": 1},
            notebooks_dir=nbs,
            profiles_dir=profiles,
            log=lambda m: None,
        )
    assert not (tmp_path / "out2" / "small" / "01-first.ipynb").exists()


def test_command_line_exit_codes():
    done = subprocess.run(
        [sys.executable, "-m", "coursekit", "run", "--profile", "nope"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "unknown profile 'nope'" in done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "coursekit", "run", "-p", "novalue"], capture_output=True, text=True
    )
    assert done.returncode != 0 and "NAME=VALUE" in done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "coursekit", "notebooks", "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout
