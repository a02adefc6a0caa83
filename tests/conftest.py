"""Shared fixtures: run a notebook of the series with papermill and read its results."""

from __future__ import annotations

import json

import pytest

from coursekit import NOTEBOOKS_DIR
from coursekit.runner import run_series


@pytest.fixture
def run_notebook(tmp_path):
    """Run one notebook (by number prefix) through the runner; return its results dict."""

    def run(prefix: str, profile: str = "ci", **overrides) -> dict:
        runs = run_series(profile, tmp_path, only=[prefix], overrides=overrides, log=lambda m: None)
        assert [r.status for r in runs] == ["ok"]
        stem = runs[0].notebook.removesuffix(".ipynb")
        return json.loads((tmp_path / profile / f"{stem}.results.json").read_text())

    return run


def notebook_path(prefix: str):
    (path,) = sorted(NOTEBOOKS_DIR.glob(f"{prefix}-*.ipynb"))
    return path
