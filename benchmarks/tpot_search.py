"""Notebook 05's TPOT search: pipeline evaluations per minute on 1..N Dask workers.

Every worker count runs the same search (same seed, search space, generations and population,
so the same pipelines are evaluated); the report gives wall time, evaluations per minute,
speedup against the smallest worker count and the parallel efficiency.
"""

from __future__ import annotations

import time
import warnings

import dask


def light_space(n_samples: int, n_features: int, random_state: int):
    """Notebook 05's "light" search space: scaler -> selector -> one of six fast classifiers."""
    from tpot.config import get_search_space
    from tpot.search_spaces.pipelines import SequentialPipeline

    options = dict(n_classes=10, n_samples=n_samples, n_features=n_features, random_state=random_state)
    return SequentialPipeline([
        get_search_space(["MinMaxScaler", "StandardScaler", "Passthrough"], **options),
        get_search_space(["SelectPercentile", "VarianceThreshold", "Passthrough"], **options),
        get_search_space(["LogisticRegression", "KNeighborsClassifier", "DecisionTreeClassifier",
                          "ExtraTreesClassifier", "SVC", "GaussianNB"], **options),
    ])


def run(workers: list[int], generations: int, population_size: int, cv: int, threads_per_worker: int,
        memory_limit: str) -> dict:
    import tpot
    from dask.distributed import Client, LocalCluster
    from sklearn.datasets import load_digits

    warnings.filterwarnings("ignore", module="sklearn")  # INVALID pipelines warn; they are counted below
    X, y = load_digits(return_X_y=True)
    rows = []
    for n in workers:
        saved = {k: dask.config.get(k) for k in ["distributed.scheduler.worker-ttl",
                                                  "distributed.scheduler.allowed-failures"]}
        with LocalCluster(n_workers=n, threads_per_worker=threads_per_worker, memory_limit=memory_limit,
                          host="127.0.0.1", dashboard_address="127.0.0.1:0") as cluster, Client(cluster) as client:
            client.wait_for_workers(n)
            search = tpot.TPOTClassifier(search_space=light_space(len(y), X.shape[1], 0), scorers=["accuracy"],
                                         cv=cv, generations=generations, population_size=population_size,
                                         max_time_mins=None, max_eval_time_mins=5, client=client,
                                         random_state=0, verbose=0)
            start = time.perf_counter()
            search.fit(X, y)
            wall = time.perf_counter() - start
        dask.config.set(saved)  # TPOT changes these in this process
        evaluated = search.evaluated_individuals
        scored = int(evaluated["accuracy_score"].notna().sum())
        rows.append({"workers": n, "wall_s": wall, "evaluations": int(len(evaluated)), "scored": scored,
                     "evaluations_per_min": len(evaluated) / wall * 60,
                     "best_cv": float(evaluated["accuracy_score"].max()), "best_pipeline": str(search.fitted_pipeline_)})
        print(f"  {n:>2} workers: {wall:6.1f} s, {len(evaluated)} evaluations ({scored} scored), "
              f"{rows[-1]['evaluations_per_min']:.0f}/min", flush=True)
    return {"workload": "tpot", "workers": workers, "generations": generations, "population_size": population_size,
            "cv": cv, "threads_per_worker": threads_per_worker, "rows": rows}


def report(results: dict) -> str:
    rows = results["rows"]
    first = rows[0]
    lines = [f"TPOT on digits: {results['generations']} generations x {results['population_size']} pipelines, "
             f"cv {results['cv']}, notebook 05's light search space",
             f"{'workers':>7} {'wall (s)':>9} {'evals':>6} {'evals/min':>10} {'speedup':>8} {'efficiency':>10} {'best CV':>8}"]
    for row in rows:
        speedup = first["wall_s"] / row["wall_s"]
        efficiency = speedup / (row["workers"] / first["workers"])
        lines.append(f"{row['workers']:>7} {row['wall_s']:9.1f} {row['evaluations']:>6} "
                     f"{row['evaluations_per_min']:10.0f} {speedup:8.2f} {efficiency:10.2f} {row['best_cv']:8.4f}")
    same = len({row["best_pipeline"] for row in rows}) == 1
    lines.append(f"same best pipeline at every worker count: {same}")
    return "\n".join(lines)
