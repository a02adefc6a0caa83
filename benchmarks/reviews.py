"""Notebook 04's pipeline: hashing + XGBoost / SGD on one machine vs on 1..N Dask workers.

The shipped reviews are resampled (with replacement, seeded) to each requested size: the
figures measure throughput and scaling, not accuracy. For every size the report gives reviews
per second for vectorizing and training, each Dask figure's ratio to the one-machine time, the
speedup against one worker and the parallel efficiency, and the smallest size (if any) at
which the cluster beat one machine.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from benchmarks import timed


def resampled_reviews(n: int, seed: int = 0) -> pd.DataFrame:
    from coursekit.data import load_reviews

    real = load_reviews()
    rows = np.random.default_rng(seed).integers(0, len(real), n)
    sample = real.iloc[rows].reset_index(drop=True)
    return pd.DataFrame({"review": (sample.title + ". " + sample.text).astype(object),
                         "positive": (sample.label == 2).astype("int8")})




def one_machine(frame, n_features, n_estimators, threads) -> dict:
    import xgboost
    from sklearn.feature_extraction.text import HashingVectorizer
    from sklearn.linear_model import SGDClassifier

    hasher = HashingVectorizer(n_features=n_features, alternate_sign=False, norm="l2")
    vec_s, X = timed(lambda: hasher.transform(frame.review.to_numpy()))
    y = frame.positive.to_numpy()
    model = xgboost.XGBClassifier(n_estimators=n_estimators, max_depth=4, max_bin=32, tree_method="hist",
                                  n_jobs=threads, random_state=0)
    xgb_s, _ = timed(lambda: model.fit(X, y))
    sgd = SGDClassifier(loss="log_loss", alpha=3e-5, random_state=0)
    sgd_s, _ = timed(lambda: sgd.partial_fit(X, y, classes=[0, 1]))  # one epoch, as on Dask
    return {"vectorize_s": vec_s, "xgboost_s": xgb_s, "sgd_epoch_s": sgd_s}


def on_dask(frame, n_features, n_estimators, n_workers, threads_per_worker, memory_limit) -> dict:
    import dask
    import dask.dataframe as dd
    import xgboost.dask
    from dask.distributed import Client, LocalCluster, wait
    from sklearn.linear_model import SGDClassifier

    from dask_ml.feature_extraction.text import HashingVectorizer
    from dask_ml.wrappers import Incremental

    with LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker, memory_limit=memory_limit,
                      host="127.0.0.1", dashboard_address="127.0.0.1:0") as cluster, Client(cluster) as client:
        client.wait_for_workers(n_workers)
        # imports on the workers happen once, before the clock starts (as in a warm notebook)
        client.run(lambda: [__import__(m) for m in ("dask_ml.feature_extraction.text", "xgboost", "sklearn.linear_model")])
        reviews = dd.from_pandas(frame, npartitions=max(2 * n_workers, 2)).persist()
        wait(reviews)
        hasher = HashingVectorizer(n_features=n_features, alternate_sign=False, norm="l2")

        def vectorize():
            X = hasher.transform(reviews.review.to_dask_array(lengths=True))
            X, y = dask.persist(X, reviews.positive.to_dask_array(lengths=True))
            wait([X, y])  # persist only submits: wait, or the clock measures nothing
            return X, y

        vec_s, (X, y) = timed(vectorize)
        model = xgboost.dask.DaskXGBClassifier(n_estimators=n_estimators, max_depth=4, max_bin=32,
                                               tree_method="hist", random_state=0)
        model.client = client
        xgb_s, _ = timed(lambda: model.fit(X, y))
        sgd = Incremental(SGDClassifier(loss="log_loss", alpha=3e-5, random_state=0), random_state=0)
        sgd_s, _ = timed(lambda: sgd.partial_fit(X, y, classes=[0, 1]))
    return {"workers": n_workers, "vectorize_s": vec_s, "xgboost_s": xgb_s, "sgd_epoch_s": sgd_s}


def run(sizes: list[int], workers: list[int], n_features: int, n_estimators: int, threads_per_worker: int,
        memory_limit: str) -> dict:
    # from_pandas turns text into Arrow strings; to_dask_array turns them back into objects, with a warning
    warnings.filterwarnings("ignore", message="Dask currently has limited support for converting pandas extension")
    # from_pandas ships the resampled frame inside the graph (it lives in this process): expected here
    warnings.filterwarnings("ignore", message="Sending large graph of size")
    runs = []
    for n in sizes:
        frame = resampled_reviews(n)
        local = one_machine(frame, n_features, n_estimators, threads=max(workers) * threads_per_worker)
        print(f"{n:>9,} reviews, one machine: vectorize {local['vectorize_s']:.2f} s, "
              f"XGBoost {local['xgboost_s']:.2f} s, SGD epoch {local['sgd_epoch_s']:.2f} s", flush=True)
        dask_runs = []
        for w in workers:
            dask_runs.append(on_dask(frame, n_features, n_estimators, w, threads_per_worker, memory_limit))
            d = dask_runs[-1]
            print(f"{n:>9,} reviews, {w:>2} workers:   vectorize {d['vectorize_s']:.2f} s, "
                  f"XGBoost {d['xgboost_s']:.2f} s, SGD epoch {d['sgd_epoch_s']:.2f} s", flush=True)
        runs.append({"reviews": n, "one_machine": local, "dask": dask_runs})
    return {"workload": "reviews", "sizes": sizes, "workers": workers, "n_features": n_features,
            "n_estimators": n_estimators, "threads_per_worker": threads_per_worker, "runs": runs}


STEPS = {"vectorize_s": "vectorize", "xgboost_s": "XGBoost", "sgd_epoch_s": "SGD epoch"}


def report(results: dict) -> str:
    lines = [f"hashing ({results['n_features']:,} features) + XGBoost ({results['n_estimators']} trees) "
             f"/ SGD, resampled reviews; one machine uses {max(results['workers']) * results['threads_per_worker']} "
             "threads for XGBoost",
             f"{'reviews':>9} {'step':10} {'where':12} {'seconds':>8} {'reviews/s':>10} {'x one machine':>14} "
             f"{'speedup':>8} {'efficiency':>10}"]
    crossover = {}
    for run in results["runs"]:
        n, local = run["reviews"], run["one_machine"]
        first = run["dask"][0]
        for key, step in STEPS.items():
            lines.append(f"{n:>9,} {step:10} {'one machine':12} {local[key]:8.2f} {n / local[key]:10,.0f}")
            for d in run["dask"]:
                ratio = d[key] / local[key]
                speedup = first[key] / d[key]
                efficiency = speedup / (d["workers"] / first["workers"])
                lines.append(f"{n:>9,} {step:10} {str(d['workers']) + ' workers':12} {d[key]:8.2f} "
                             f"{n / d[key]:10,.0f} {ratio:14.2f} {speedup:8.2f} {efficiency:10.2f}")
                if ratio < 1 and step not in crossover:
                    crossover[step] = n
    largest = max(results["sizes"])
    for step in STEPS.values():
        where = (f"the cluster beat one machine from {crossover[step]:,} reviews" if step in crossover
                 else f"one machine was faster at every size up to {largest:,} reviews")
        lines.append(f"{step}: {where}")
    return "\n".join(lines)
