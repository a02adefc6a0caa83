"""Notebook 03's grid search: scikit-learn (sequential, loky) vs Dask (joblib backend, dask-ml).

Each method fits the same grid with the same seeds; the report gives wall time, tasks sent to
the cluster, speedup against sequential, the ratio to loky on the same number of cores, and
whether every method found the same best parameters and score.
"""

from __future__ import annotations

import time

import joblib
from sklearn.ensemble import RandomForestClassifier

GRIDS = {
    "seed": {"max_depth": [3, 4, 5, 6, None], "max_features": [1, 3, 10, None],
             "min_samples_split": [2, 3, 10], "bootstrap": [True, False], "criterion": ["gini", "entropy"]},
    "reduced": {"max_depth": [3, None], "max_features": [1, 10], "min_samples_split": [2, 10],
                "bootstrap": [True], "criterion": ["gini", "entropy"]},
}
METHODS = ["sequential", "loky", "joblib-dask", "joblib-dask-seq", "joblib-dask-seq-scatter", "dask-ml"]


class SequentialTreesForest(RandomForestClassifier):
    """A random forest that fits its trees sequentially whatever joblib backend is active
    (notebook 03's fix for nested parallelism under the Dask backend)."""

    def fit(self, X, y, sample_weight=None):
        with joblib.parallel_config(backend="sequential"):
            return super().fit(X, y, sample_weight=sample_weight)


def run(grid: str, cv: int, n_estimators: int, workers: list[int], methods: list[str]) -> dict:
    from dask.distributed import Client, LocalCluster, get_task_stream
    from sklearn.datasets import load_digits
    from sklearn.model_selection import GridSearchCV

    import dask_ml.model_selection as dcv

    X, y = load_digits(return_X_y=True)
    forest = RandomForestClassifier(n_estimators=n_estimators, random_state=0)
    param_grid = GRIDS[grid]
    rows = []

    def record(method, n, search, client=None):
        if client is None:
            start = time.perf_counter()
            search.fit(X, y)
            tasks = 0
        else:
            with get_task_stream(client) as stream:
                start = time.perf_counter()
                search.fit(X, y)
            tasks = len(stream.data)
        rows.append({"method": method, "workers": n, "wall_s": time.perf_counter() - start, "tasks": tasks,
                     "best_score": search.best_score_, "best_params": str(search.best_params_)})
        print(f"  {method:12s} {n:>2} workers {rows[-1]['wall_s']:7.1f} s {tasks:>7,} tasks", flush=True)

    if "sequential" in methods:
        record("sequential", 1, GridSearchCV(forest, param_grid, cv=cv, n_jobs=1))
    for n in workers:
        if "loky" in methods:
            record("loky", n, GridSearchCV(forest, param_grid, cv=cv, n_jobs=n))
        with LocalCluster(n_workers=n, threads_per_worker=1, host="127.0.0.1", dashboard_address="127.0.0.1:0",
                          memory_limit="2GiB") as cluster, Client(cluster) as client:
            if "joblib-dask" in methods:
                with joblib.parallel_config(backend="dask"):
                    record("joblib-dask", n, GridSearchCV(forest, param_grid, cv=cv, n_jobs=-1), client)
            # the forest's trees kept sequential; "-scatter": the data sent to the workers once,
            # instead of inside every task
            for method, scatter in [("joblib-dask-seq", None), ("joblib-dask-seq-scatter", [X, y])]:
                if method in methods:
                    with joblib.parallel_config(backend="dask", scatter=scatter):
                        search = GridSearchCV(SequentialTreesForest(n_estimators=n_estimators, random_state=0),
                                              param_grid, cv=cv, n_jobs=-1)
                        record(method, n, search, client)
            if "dask-ml" in methods:
                # iid=False: plain mean of fold scores, as scikit-learn (dask-ml defaults to iid=True)
                record("dask-ml", n, dcv.GridSearchCV(forest, param_grid, cv=cv, iid=False), client)
    return {"grid": grid, "cv": cv, "n_estimators": n_estimators, "fits": _n_candidates(param_grid) * cv,
            "rows": rows}


def _n_candidates(param_grid) -> int:
    from sklearn.model_selection import ParameterGrid

    return len(ParameterGrid(param_grid))


def report(results: dict) -> str:
    rows = results["rows"]
    sequential = next((r["wall_s"] for r in rows if r["method"] == "sequential"), None)
    loky = {r["workers"]: r["wall_s"] for r in rows if r["method"] == "loky"}
    scores = [r["best_score"] for r in rows]
    same = len({r["best_params"] for r in rows}) == 1 and max(scores) - min(scores) < 1e-9
    lines = [f"grid search '{results['grid']}', {results['fits']} fits (cv={results['cv']}), "
             f"{results['n_estimators']}-tree forests; same best params and score in every method: {same}",
             f"{'method':12s} {'workers':>7} {'wall s':>8} {'tasks':>8} {'vs sequential':>14} {'vs loky':>8}"]
    for r in rows:
        speedup = f"{sequential / r['wall_s']:.2f}x" if sequential else "-"
        vs_loky = f"{r['wall_s'] / loky[r['workers']]:.2f}x" if r["workers"] in loky else "-"
        lines.append(f"{r['method']:12s} {r['workers']:>7} {r['wall_s']:>8.1f} {r['tasks']:>8,} {speedup:>14} {vs_loky:>8}")
    for method in dict.fromkeys(r["method"] for r in rows):  # scaling over worker counts, per method
        runs = sorted((r["workers"], r["wall_s"]) for r in rows if r["method"] == method)
        if len(runs) > 1:
            (w0, t0), *rest = runs
            lines.append(f"{method}: " + ", ".join(
                f"{w} workers {t0 / t:.2f}x the {w0}-worker speed (parallel efficiency {t0 / t / (w / w0):.2f})"
                for w, t in rest))
    return "\n".join(lines)
