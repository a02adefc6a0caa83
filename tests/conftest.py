"""Shared fixtures: run a notebook of the series with papermill and read its results."""

from __future__ import annotations

import json
import os
import shutil

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


@pytest.fixture(scope="session")
def ci_series(tmp_path_factory):
    """Every notebook of the series in the ci profile, all at the same time, each in its own
    process with its own LocalCluster (as pytest-xdist or several users on one machine would run
    them). Returns {prefix: results}; the per-notebook tests check the facts."""
    import subprocess
    import sys

    from coursekit.series import notebooks

    out = tmp_path_factory.mktemp("ci-series")
    procs = {}
    for nb in notebooks():
        prefix = nb.name[:2]
        env = dict(os.environ)
        if prefix == "01":
            # 01 kills a worker and waits for its nanny's replacement. On a busy machine the
            # replacement can take longer than the cluster's lost-worker-timeout (15 s), after
            # which LocalCluster closes the nanny and the replacement never comes: the notebook
            # sets that timeout to worker_timeout around its demonstration. Set this short, a
            # replacement is always "late" here, so a notebook without that setting fails.
            env["DASK_DISTRIBUTED__DEPLOY__LOST_WORKER_TIMEOUT"] = "0.05s"
        procs[nb] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "coursekit",
                "run",
                "--profile",
                "ci",
                "--only",
                prefix,
                "--output",
                str(out / prefix),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
    outputs = {nb: proc.communicate(timeout=1800)[0] for nb, proc in procs.items()}
    failed = [
        f"--- {nb.name} (exit {proc.returncode}):\n{outputs[nb][-3000:]}"
        for nb, proc in procs.items()
        if proc.returncode != 0
    ]
    if failed:  # the runner's own words (cell, error, message) in full: an assert's repr cuts them
        pytest.fail("\n".join(failed), pytrace=False)
    series = {}
    for nb in procs:
        folder = out / nb.name[:2] / "ci"
        series[nb.name[:2]] = {
            **json.loads((folder / f"{nb.stem}.results.json").read_text()),
            "_executed": str(folder / nb.name),
        }
    return series


CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


def headless_chromium(user_data_dir, window: str = "1600,1000", extra_flags=()):
    """A Selenium driver for Debian's headless Chromium, offline (no background networking),
    logging the browser console for the tests to read."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--window-size={window}",
        f"--user-data-dir={user_data_dir}",
        *extra_flags,
    ]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
