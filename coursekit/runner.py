"""Run the whole series headless with papermill, one profile, and summarise the run.

For each notebook in order: validate the profile's parameters, execute it with papermill
into the output folder, and record status, wall time and the peak memory of the kernel and
every process it started (LocalCluster workers included). The first failure stops the run
with a message naming the notebook, the failing cell and the executed copy to look at.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

from . import NOTEBOOKS_DIR
from .params import notebook_parameters, parameters_for
from .series import notebooks


@dataclass
class NotebookRun:
    notebook: str
    status: str  # "ok" or "failed"
    wall_s: float
    peak_rss_mb: float
    output: str
    parameters: dict = field(default_factory=dict)
    error: str = ""


class SeriesFailed(RuntimeError):
    """A notebook of the series failed; the message says which and where to look."""


class PeakMemory:
    """Samples the summed RSS of this process's descendants (kernel + workers) in a thread."""

    def __init__(self, interval: float = 0.2):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for child in me.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:
                    pass  # the process ended between listing and reading
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _failure_detail(err: Exception) -> str:
    # papermill's PapermillExecutionError carries the execution count, as shown in the
    # executed notebook (In [n], counting the injected-parameters cell), and the exception
    count = getattr(err, "exec_count", None)
    ename, evalue = getattr(err, "ename", type(err).__name__), getattr(err, "evalue", str(err))
    where = f"cell In [{count}]: " if count is not None else ""
    return f"{where}{ename}: {evalue}".strip()


def run_series(
    profile: str = "binder",
    output_dir="runs",
    *,
    only=None,
    overrides=None,
    notebooks_dir=None,
    profiles_dir=None,
    kernel_name=None,
    log=None,
) -> list[NotebookRun]:
    """Execute the series (or the notebooks whose names start with one of ``only``)."""
    import papermill

    log = log or (lambda message: print(message, flush=True))
    nb_dir = Path(notebooks_dir or NOTEBOOKS_DIR)
    selected = [
        nb for nb in notebooks(nb_dir) if not only or any(nb.name.startswith(o) for o in only)
    ]
    if not selected:
        raise SeriesFailed(f"no notebooks in {nb_dir} match {only or 'NN-*.ipynb'}")
    out = Path(output_dir) / profile
    out.mkdir(parents=True, exist_ok=True)
    # validate everything first: a typo in a profile should not cost a half-run series
    plans = [(nb, parameters_for(nb, profile, overrides, profiles_dir)) for nb in selected]
    runs: list[NotebookRun] = []
    for nb, params in plans:
        target = out / nb.name
        results = out / f"{nb.stem}.results.json"
        if "results_path" in notebook_parameters(nb):
            params = {**params, "results_path": str(results.resolve())}
        log(f"[{profile}] {nb.name} ...")
        start = time.perf_counter()
        error = ""
        with PeakMemory() as memory:
            try:
                papermill.execute_notebook(
                    str(nb),
                    str(target),
                    parameters=params,
                    cwd=str(nb.parent),
                    kernel_name=kernel_name,
                    progress_bar=False,
                    request_save_on_cell_execute=False,
                )
            except Exception as err:  # noqa: BLE001 - reported below, then the run stops
                error = _failure_detail(err)
        run = NotebookRun(
            nb.name,
            "failed" if error else "ok",
            round(time.perf_counter() - start, 1),
            round(memory.peak / 2**20, 1),
            str(target),
            params,
            error,
        )
        runs.append(run)
        log(f"    {run.status} in {run.wall_s:.1f} s, peak memory {run.peak_rss_mb:,.0f} MB")
        if error:
            write_summary(runs, out, profile)
            raise SeriesFailed(
                f"{nb.name} failed at {error}\n    the executed notebook, with the "
                f"traceback, is {target}"
            )
    write_summary(runs, out, profile)
    return runs


def write_summary(runs: list[NotebookRun], out: Path, profile: str) -> Path:
    """summary.json (machine-readable) and summary.md (a table) in the output folder."""
    facts = {
        "profile": profile,
        "cpu_count": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "notebooks": [asdict(r) for r in runs],
    }
    (out / "summary.json").write_text(json.dumps(facts, indent=1))
    lines = [
        f"# Run of the series, profile `{profile}`",
        "",
        "| notebook | status | wall time (s) | peak memory (MB) |",
        "|---|---|---:|---:|",
    ]
    lines += [
        f"| {r.notebook} | {r.status} | {r.wall_s:.1f} | {r.peak_rss_mb:,.0f} |" for r in runs
    ]
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    return out / "summary.md"
