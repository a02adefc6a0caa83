"""Taxi EDA suite (notebook 02) on generated Parquet: Dask on N workers vs pandas on one core.

Each step runs on data persisted in the workers' memory (persist is timed on its own), and
the same step runs in pandas on the same rows, single-threaded. The report gives each step's
time, rows/s, and the ratio of Dask's time to pandas' time; the "ideal" is pandas' time
divided by the number of worker threads (perfect scaling, no overhead).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from benchmarks import timed

FEATURES = ["passenger_count", "trip_distance", "fare_amount", "extra", "mta_tax", "tip_amount",
            "tolls_amount", "total_amount"]


def partition_moments(part):
    x = part.to_numpy(dtype="float64")
    mean = x.mean(axis=0) if len(x) else np.zeros(x.shape[1])
    centred = x - mean
    return len(x), mean, centred.T @ centred


def add_moments(moments):
    n, mean, m2 = 0, 0.0, 0.0
    for n_b, mean_b, m2_b in moments:
        if n_b:
            delta, total = mean_b - mean, n + n_b
            m2 = m2 + m2_b + np.outer(delta, delta) * n * n_b / total
            mean, n = mean + delta * n_b / total, total
    return n, mean, m2


def _moments(frame):
    """(n, means, centred cross-products) of all rows: one task per partition, then a sum."""
    import dask

    return dask.delayed(add_moments)([dask.delayed(partition_moments)(p) for p in frame.to_delayed()]).compute()


def _correlation(m2, columns) -> pd.DataFrame:
    sd = np.sqrt(np.diag(m2))
    return pd.DataFrame(m2 / np.outer(sd, sd), index=columns, columns=columns)


def corr_one_pass(frame):
    """The correlation matrix from per-partition moments: one pass, one k×k matrix per partition."""
    n, mean, m2 = _moments(frame)
    return _correlation(m2, frame.columns)


def summary_one_pass(frame):
    """describe()'s count/mean/std/min/max plus the correlation matrix: one pass for the
    moments, one cheap pass for min and max."""
    import dask

    n, mean, m2 = _moments(frame)
    low, high = dask.compute(frame.min(), frame.max())  # delayed and dataframe graphs: separate calls
    stats = pd.DataFrame({"count": float(n), "mean": mean, "std": np.sqrt(np.diag(m2) / (n - 1)),
                          "min": low.to_numpy(), "max": high.to_numpy()}, index=frame.columns)
    return stats, _correlation(m2, frame.columns)


def _steps(frame, compute):
    """The suite's steps; ``compute(*objects)`` evaluates them (identity for pandas, dask.compute)."""
    return {
        "describe": lambda: compute(frame[FEATURES].describe()),
        # describe's two parts: five cheap reductions, and the (approximate, in Dask) quartiles
        "five_reductions": lambda: compute(*[getattr(frame[FEATURES], r)() for r in
                                             ["count", "mean", "std", "min", "max"]]),
        "quartiles": lambda: compute(frame[FEATURES].quantile([0.25, 0.5, 0.75])),
        "groupby": lambda: compute(frame.groupby("VendorID")["trip_distance"].agg(["sum", "count", "mean"])),
        "isna": lambda: compute(frame.isna().sum()),
        "corr": lambda: compute(frame[FEATURES].corr()),
    }




def run(rows: int, workers: list[int], threads_per_worker: int, data_dir, rows_per_file: int,
        memory_limit: str) -> dict:
    import dask
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster, wait

    from coursekit.generate import generate_taxi

    path = generate_taxi(rows, data_dir, rows_per_file=rows_per_file, progressbar=True)
    columns = ["VendorID", *FEATURES]

    # pandas, one core, same rows
    read_s, pdf = timed(lambda: pd.read_parquet(path, columns=columns))
    pandas = {name: timed(step)[0] for name, step in _steps(pdf, lambda *results: results).items()}
    pandas_corr = pdf[FEATURES].corr()
    pandas_describe = pdf[FEATURES].describe()
    del pdf
    results = {"rows": rows, "pandas": {"read_s": read_s, **{f"{k}_s": v for k, v in pandas.items()}},
               "dask": []}
    for n in workers:
        with LocalCluster(n_workers=n, threads_per_worker=threads_per_worker, memory_limit=memory_limit,
                          host="127.0.0.1", dashboard_address="127.0.0.1:0") as cluster, Client(cluster):
            start = time.perf_counter()
            raw = dd.read_parquet(path, columns=columns)
            df = raw[raw["VendorID"] > 0].persist()  # an operation after the read: dask issue 12488
            wait(df)
            persist_s = time.perf_counter() - start
            timings = {name: timed(step)[0] for name, step in _steps(df, dask.compute).items()}
            fast_s, fast = timed(lambda: corr_one_pass(df[FEATURES]))
            diff = float((fast - pandas_corr).abs().max().max())
            summary_s, (stats, corr) = timed(lambda: summary_one_pass(df[FEATURES]))
            stats_diff = float(((stats.T - pandas_describe.loc[stats.columns]).abs()
                                / pandas_describe.loc[stats.columns].abs().clip(lower=1)).max().max())
            results["dask"].append({"workers": n, "threads": n * threads_per_worker, "persist_s": persist_s,
                                    **{f"{k}_s": v for k, v in timings.items()},
                                    "corr_one_pass_s": fast_s, "corr_one_pass_max_diff": diff,
                                    "summary_one_pass_s": summary_s, "summary_one_pass_max_rel_diff": stats_diff})
    return results


def report(results: dict) -> str:
    rows, p = results["rows"], results["pandas"]
    suite = ["describe", "groupby", "isna", "corr"]
    pandas_suite = sum(p[f"{s}_s"] for s in suite)
    lines = [f"taxi EDA suite, {rows:,} generated rows (in memory; reading timed separately)",
             f"pandas, 1 core: read {p['read_s']:.2f} s; " + ", ".join(f"{s} {p[f'{s}_s']:.2f} s" for s in suite)
             + f"; suite {pandas_suite:.2f} s",
             "", f"{'threads':>7} {'step':<16} {'time s':>8} {'rows/s':>12} {'vs pandas':>10}"]
    for d in results["dask"]:
        for step in ["persist", *suite, "five_reductions", "quartiles", "corr_one_pass", "summary_one_pass"]:
            t = d[f"{step}_s"]
            base = {"persist": p["read_s"], "corr_one_pass": p["corr_s"],
                    "summary_one_pass": p["describe_s"] + p["corr_s"]}.get(step) or p[f"{step}_s"]
            lines.append(f"{d['threads']:>7} {step:<16} {t:>8.2f} {rows / t:>12,.0f} {t / base:>9.2f}x")
        dask_suite = sum(d[f"{s}_s"] for s in suite)
        fast_suite = dask_suite - d["corr_s"] + d["corr_one_pass_s"]
        # the same answers, cheaper: one pass for count/mean/std/min/max + corr, then quartiles
        lean_suite = d["summary_one_pass_s"] + d["quartiles_s"] + d["groupby_s"] + d["isna_s"]
        ideal = pandas_suite / d["threads"]
        lines.append(f"{d['threads']:>7} {'SUITE':<16} {dask_suite:>8.2f}  ideal {ideal:.2f} s -> "
                     f"{dask_suite / ideal:.2f}x ideal out of the box; with one-pass corr {fast_suite:.2f} s "
                     f"-> {fast_suite / ideal:.2f}x; one-pass summary + quartiles {lean_suite:.2f} s -> "
                     f"{lean_suite / ideal:.2f}x (target <= 1.5x)")
        lines.append(f"{'':>7} {'':<16} one-pass corr max diff {d['corr_one_pass_max_diff']:.1e}; one-pass "
                     f"summary max relative diff to pandas describe {d['summary_one_pass_max_rel_diff']:.1e}")
    return "\n".join(lines)
