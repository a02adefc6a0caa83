"""Notebook 04's pipeline: hashing + XGBoost / SGD on one machine vs on 1..N Dask workers.

The shipped reviews are resampled (with replacement, seeded) to each requested size: the
figures measure throughput and scaling, not accuracy. For every size the report gives reviews
per second for vectorizing and training, each Dask figure's ratio to the one-machine time, the
speedup against one worker and the parallel efficiency, and the smallest size (if any) at
which the cluster beat one machine.
"""

from __future__ import annotations

import warnings

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import xgboost
import xgboost.dask
from dask.distributed import wait
from dask_ml.feature_extraction.text import HashingVectorizer as DaskHashingVectorizer
from dask_ml.wrappers import Incremental
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import SGDClassifier

from benchmarks import harness, model
from benchmarks.harness import timed
from benchmarks.metrics import breakdown_notes
from coursekit.data import load_reviews

NAME = "reviews"
HELP = "notebook 04's hashing + XGBoost/SGD: one machine vs Dask"
SINGLE_MACHINE = "scikit-learn and `XGBClassifier(n_jobs)`"
SIZES = {
    "quick": dict(reviews=[2_000, 6_000], n_estimators=10, memory_limit="1GiB"),
    "full": dict(reviews=[20_000, 100_000]),
}


def add_arguments(parser) -> None:
    parser.add_argument(
        "--reviews",
        type=int,
        nargs="+",
        default=[20_000, 100_000],
        help="sizes to resample the shipped reviews to",
    )
    parser.add_argument("--threads-per-worker", type=int, default=1)
    parser.add_argument("--memory-limit", default="2GiB")
    parser.add_argument("--n-features", type=int, default=2**16)
    parser.add_argument("--n-estimators", type=int, default=100)


def resampled_reviews(n: int, seed: int = 0) -> pd.DataFrame:
    real = load_reviews()
    rows = np.random.default_rng(seed).integers(0, len(real), n)
    sample = real.iloc[rows].reset_index(drop=True)
    return pd.DataFrame(
        {
            "review": (sample.title + ". " + sample.text).astype(object),
            "positive": (sample.label == 2).astype("int8"),
        }
    )


def one_machine(frame, n_features, n_estimators, threads) -> dict:
    hasher = HashingVectorizer(n_features=n_features, alternate_sign=False, norm="l2")
    vec_s, X = timed(lambda: hasher.transform(frame.review.to_numpy()))
    y = frame.positive.to_numpy()
    model = xgboost.XGBClassifier(
        n_estimators=n_estimators,
        max_depth=4,
        max_bin=32,
        tree_method="hist",
        n_jobs=threads,
        random_state=0,
    )
    xgb_s, _ = timed(lambda: model.fit(X, y))
    sgd = SGDClassifier(loss="log_loss", alpha=3e-5, random_state=0)
    sgd_s, _ = timed(lambda: sgd.partial_fit(X, y, classes=[0, 1]))  # one epoch, as on Dask
    return {"vectorize_s": vec_s, "xgboost_s": xgb_s, "sgd_epoch_s": sgd_s}


def on_dask(
    frame,
    n_features,
    n_estimators,
    n_workers,
    threads_per_worker,
    memory_limit,
    scheduler_address=None,
) -> dict:
    busy, seconds_of = {}, {}

    def step(name, fn):  # the step's wall time, and its tasks (compute time, records)
        with harness.task_time(client, records=True) as busy[name]:
            seconds_of[name], result = timed(fn)
        return seconds_of[name], result

    with harness.cluster_client(n_workers, threads_per_worker, memory_limit, scheduler_address) as (
        client,
        n_workers,
        _,
    ):
        # imports on the workers happen once, before the clock starts (as in a warm notebook)
        client.run(
            lambda: [
                __import__(m)
                for m in ("dask_ml.feature_extraction.text", "xgboost", "sklearn.linear_model")
            ]
        )
        reviews = dd.from_pandas(frame, npartitions=max(2 * n_workers, 2)).persist()
        wait(reviews)
        hasher = DaskHashingVectorizer(n_features=n_features, alternate_sign=False, norm="l2")

        def vectorize():
            X = hasher.transform(reviews.review.to_dask_array(lengths=True))
            X, y = dask.persist(X, reviews.positive.to_dask_array(lengths=True))
            wait([X, y])  # persist only submits: wait, or the clock measures nothing
            return X, y

        vec_s, (X, y) = step("vectorize", vectorize)
        model = xgboost.dask.DaskXGBClassifier(
            n_estimators=n_estimators, max_depth=4, max_bin=32, tree_method="hist", random_state=0
        )
        model.client = client
        xgb_s, _ = step("xgboost", lambda: model.fit(X, y))
        sgd = Incremental(
            SGDClassifier(loss="log_loss", alpha=3e-5, random_state=0), random_state=0
        )
        sgd_s, _ = step("sgd_epoch", lambda: sgd.partial_fit(X, y, classes=[0, 1]))
    return {
        "workers": n_workers,
        "vectorize_s": vec_s,
        "xgboost_s": xgb_s,
        "sgd_epoch_s": sgd_s,
        **{f"{name}_busy_s": stats["busy_s"] for name, stats in busy.items()},
        "timed_runs": {
            f"{STEPS[name]}, {len(frame):,} reviews": {
                "workers": n_workers,
                "threads": n_workers * threads_per_worker,
                "wall_s": seconds_of[name],
                **stats,
            }
            for name, stats in busy.items()
        },
    }


def run(
    workers: list[int],
    *,
    reviews: list[int],
    n_features: int,
    n_estimators: int,
    threads_per_worker: int,
    memory_limit: str,
    scheduler_address: str | None = None,
    checkpoint=None,
) -> dict:
    """``checkpoint(results)`` gets the results so far after every worker count."""
    sizes, say = reviews, harness.say
    # from_pandas turns text into Arrow strings; to_dask_array turns them back into objects, with a warning
    warnings.filterwarnings(
        "ignore", message="Dask currently has limited support for converting pandas extension"
    )
    # from_pandas ships the resampled frame inside the graph (it lives in this process): expected here
    warnings.filterwarnings("ignore", message="Sending large graph of size")
    runs = []

    def so_far() -> dict:
        return {
            "workload": "reviews",
            "sizes": [run["reviews"] for run in runs],
            "workers": [d["workers"] for d in runs[0]["dask"]],
            "n_features": n_features,
            "n_estimators": n_estimators,
            "threads_per_worker": threads_per_worker,
            "one_machine_threads": max(workers) * threads_per_worker,
            "runs": runs,
        }

    for n in sizes:
        frame = resampled_reviews(n)
        local = one_machine(
            frame, n_features, n_estimators, threads=max(workers) * threads_per_worker
        )
        say(
            f"{n:>9,} reviews, one machine: vectorize {local['vectorize_s']:.2f} s, "
            f"XGBoost {local['xgboost_s']:.2f} s, SGD epoch {local['sgd_epoch_s']:.2f} s"
        )
        dask_runs = []
        runs.append({"reviews": n, "one_machine": local, "dask": dask_runs})
        for w in harness.progress(workers, f"reviews: {n:,} reviews, worker counts"):
            dask_runs.append(
                on_dask(
                    frame,
                    n_features,
                    n_estimators,
                    w,
                    threads_per_worker,
                    memory_limit,
                    scheduler_address,
                )
            )
            d = dask_runs[-1]
            say(
                f"{n:>9,} reviews, {d['workers']:>2} workers:   vectorize {d['vectorize_s']:.2f} s, "
                f"XGBoost {d['xgboost_s']:.2f} s, SGD epoch {d['sgd_epoch_s']:.2f} s"
            )
            if checkpoint:
                checkpoint(so_far())
    return so_far()


STEPS = {"vectorize": "vectorize", "xgboost": "XGBoost", "sgd_epoch": "SGD epoch"}


def title(results: dict) -> str:
    return (
        f"reviews: hashing ({results['n_features']:,} features) + XGBoost ({results['n_estimators']} trees) / "
        f"one SGD epoch on resampled reviews, Dask vs one machine "
        f"({results.get('one_machine_threads', max(results['workers']) * results['threads_per_worker'])} "
        "XGBoost threads)"
    )


def measurements(results: dict) -> list[dict]:
    rows = []
    for run in results["runs"]:
        for key, step in STEPS.items():
            for d in run["dask"]:
                rows.append(
                    {
                        "item": f"{step}, {run['reviews']:,} reviews",
                        "workers": d["workers"],
                        "threads": d["workers"] * results["threads_per_worker"],
                        "seconds": d[f"{key}_s"],
                        "work": run["reviews"],
                        "unit": "reviews",
                        "single_s": run["one_machine"][f"{key}_s"],
                        "busy_s": d.get(f"{key}_busy_s"),
                    }
                )
    return rows


def notes(results: dict) -> list[str]:
    out = []
    for key, step in STEPS.items():
        one = ", ".join(
            f"{run['reviews']:,}: {run['one_machine'][f'{key}_s']:.2f} s" for run in results["runs"]
        )
        wins = [
            run["reviews"]
            for run in results["runs"]
            if min(d[f"{key}_s"] for d in run["dask"]) < run["one_machine"][f"{key}_s"]
        ]
        where = (
            f"the cluster beat one machine from {min(wins):,} reviews (smallest size measured where it won)"
            if wins
            else f"one machine was faster at every size measured, up to {max(results['sizes']):,} reviews"
        )
        out.append(f"{step}: one machine {one}; cross-over: {where}")
    out += breakdown_notes(results)
    # the model for the step made of independent tasks (XGBoost's workers train together: one
    # long task each, which the model does not describe)
    for run in results["runs"]:
        label = f"vectorize, {run['reviews']:,} reviews"
        runs = {d["workers"]: d["timed_runs"][label] for d in run["dask"] if "timed_runs" in d}
        out += model.notes(runs, label)
    return out


def targets(results: dict) -> list[dict]:
    return []  # what matters here is the cross-over size, stated in the notes
