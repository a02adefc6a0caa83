"""Taxi EDA suite (notebook 02) on generated Parquet: Dask on N workers vs pandas on one core.

Each step runs on data persisted in the workers' memory (persist is timed on its own), and
the same step runs in pandas on the same rows, single-threaded. The report gives each step's
time, rows/s, and the ratio of Dask's time to pandas' time; the "ideal" is pandas' time
divided by the number of worker threads (perfect scaling, no overhead).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import dask
import dask.dataframe as dd
import pandas as pd
from dask.distributed import wait

from benchmarks import harness, model
from benchmarks.harness import timed
from benchmarks.metrics import breakdown_notes
from benchmarks.notebook_code import load as load_notebook_code
from coursekit.generate import generate_taxi

NAME = "eda"
HELP = "taxi EDA suite (notebook 02) vs pandas on one core"
SINGLE_MACHINE = "pandas on one core"
SIZES = {
    "quick": dict(rows=200_000, rows_per_file=50_000, memory_limit="1GiB"),
    "full": dict(rows=10_000_000),
}


def add_arguments(parser) -> None:
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--threads-per-worker", type=int, default=1)
    parser.add_argument("--memory-limit", default="4GiB")
    parser.add_argument("--rows-per-file", type=int, default=1_000_000)
    parser.add_argument(
        "--data-dir", default=None, help="where generated data is kept (reused next time)"
    )


FEATURES = [
    "passenger_count",
    "trip_distance",
    "fare_amount",
    "extra",
    "mta_tax",
    "tip_amount",
    "tolls_amount",
    "total_amount",
]


# notebook 02's own code (its cells tagged "workload"): the benchmark measures what learners read
_notebook = load_notebook_code(
    "02",
    [
        "partition_moments",
        "add_moments",
        "corr_one_pass",
        "summary_one_pass",
        "partition_percentiles",
        "quartiles_one_pass",
    ],
)
corr_one_pass, summary_one_pass = _notebook.corr_one_pass, _notebook.summary_one_pass
quartiles_one_pass = _notebook.quartiles_one_pass


SUITE = [
    "describe",
    "groupby",
    "isna",
    "corr",
]  # the suite a learner runs in notebook 02; persist is timed on its own
FAST_STEPS = ["groupby", "isna"]  # after the one-pass summary and quartiles, in the fast suite


def _steps(frame, compute):
    """The suite's steps; ``compute(*objects)`` evaluates them (identity for pandas, dask.compute)."""
    return {
        "describe": lambda: compute(frame[FEATURES].describe()),
        # describe's two parts: five cheap reductions, and the (approximate, in Dask) quartiles
        "five_reductions": lambda: compute(
            *[getattr(frame[FEATURES], r)() for r in ["count", "mean", "std", "min", "max"]]
        ),
        "quartiles": lambda: compute(frame[FEATURES].quantile([0.25, 0.5, 0.75])),
        "groupby": lambda: compute(
            frame.groupby("VendorID")["trip_distance"].agg(["sum", "count", "mean"])
        ),
        "isna": lambda: compute(frame.isna().sum()),
        "corr": lambda: compute(frame[FEATURES].corr()),
    }


def run(
    workers: list[int],
    *,
    rows: int,
    threads_per_worker: int,
    rows_per_file: int,
    memory_limit: str,
    data_dir=None,
    scheduler_address: str | None = None,
    checkpoint=None,
) -> dict:
    """``data_dir`` (default: a folder in the temporary directory named by the row count) must be
    readable by every worker: on a real cluster, shared storage. ``checkpoint(results)`` gets
    the results so far after every worker count."""
    say, task_time = harness.say, harness.task_time
    data_dir = Path(data_dir or Path(tempfile.gettempdir()) / f"course-taxi-{rows}")
    path = generate_taxi(rows, data_dir, rows_per_file=rows_per_file, progressbar=True)
    columns = ["VendorID", *FEATURES]

    # pandas, one core, same rows
    read_s, pdf = timed(lambda: pd.read_parquet(path, columns=columns))
    pandas = {name: timed(step)[0] for name, step in _steps(pdf, lambda *results: results).items()}
    pandas_corr = pdf[FEATURES].corr()
    pandas_describe = pdf[FEATURES].describe()
    del pdf
    say(
        f"pandas, 1 core, {rows:,} rows: read {read_s:.2f} s, "
        + ", ".join(f"{k} {v:.2f} s" for k, v in pandas.items())
    )
    results = {
        "workload": "eda",
        "rows": rows,
        "pandas": {"read_s": read_s, **{f"{k}_s": v for k, v in pandas.items()}},
        "dask": [],
    }
    for n in harness.progress(workers, "eda: worker counts"):
        with harness.cluster_client(n, threads_per_worker, memory_limit, scheduler_address) as (
            client,
            n,
            threads,
        ):
            start = time.perf_counter()
            raw = dd.read_parquet(path, columns=columns)
            df = raw[raw["VendorID"] > 0].persist()  # an operation after the read: dask issue 12488
            wait(df)
            persist_s = time.perf_counter() - start
            steps = _steps(df, dask.compute)
            with task_time(client, records=True) as suite:  # the out-of-the-box suite's tasks
                timings = {name: timed(steps[name])[0] for name in SUITE}
            timings.update(
                {name: timed(step)[0] for name, step in steps.items() if name not in SUITE}
            )
            quartiles_fast_s, quartiles_fast = timed(lambda df=df: quartiles_one_pass(df[FEATURES]))
            quartiles_dask = df[FEATURES].quantile([0.25, 0.5, 0.75]).compute()
            quartiles_diff = float((quartiles_fast - quartiles_dask).abs().max().max())
            # Dask's quartiles against the partition count: as many partitions as threads, as
            # persisted, and four times as many
            by_partitions = {}
            for count in sorted({threads, df.npartitions, 4 * df.npartitions}):
                part = (
                    df if count == df.npartitions else df.repartition(npartitions=count).persist()
                )
                wait(part)
                by_partitions[count] = timed(_steps(part, dask.compute)["quartiles"])[0]
                del part
            # the fast suite as a learner runs it, one step after the other, with its tasks
            with task_time(client, records=True) as fast_suite:
                fast_suite_s = timed(
                    lambda df=df, steps=steps: (
                        summary_one_pass(df[FEATURES]),
                        quartiles_one_pass(df[FEATURES]),
                        *[steps[name]() for name in FAST_STEPS],
                    )
                )[0]
            fast_s, fast = timed(lambda df=df: corr_one_pass(df[FEATURES]))
            diff = float((fast - pandas_corr).abs().max().max())
            summary_s, (stats, corr) = timed(lambda df=df: summary_one_pass(df[FEATURES]))
            stats_diff = float(
                (
                    (stats.T - pandas_describe.loc[stats.columns]).abs()
                    / pandas_describe.loc[stats.columns].abs().clip(lower=1)
                )
                .max()
                .max()
            )
            results["dask"].append(
                {
                    "workers": n,
                    "threads": threads,
                    "persist_s": persist_s,
                    **{f"{k}_s": v for k, v in timings.items()},
                    "corr_one_pass_s": fast_s,
                    "corr_one_pass_max_diff": diff,
                    "summary_one_pass_s": summary_s,
                    "summary_one_pass_max_rel_diff": stats_diff,
                    "quartiles_one_pass_s": quartiles_fast_s,
                    "quartiles_one_pass_max_diff": quartiles_diff,
                    "partitions": df.npartitions,
                    "quartiles_by_partitions_s": by_partitions,
                    "suite_busy_s": suite["busy_s"],
                    "suite_tasks": suite["tasks"],
                    "fast_suite_s": fast_suite_s,
                    "timed_runs": {
                        label: {
                            "workers": n,
                            "threads": threads,
                            "wall_s": wall_s,
                            **stats,
                        }
                        for label, wall_s, stats in [
                            ("suite", sum(timings[s] for s in SUITE), suite),
                            ("fast suite", fast_suite_s, fast_suite),
                        ]
                    },
                }
            )
            say(
                f"{threads:>3} threads: persist {persist_s:.2f} s, suite "
                f"{sum(timings[s] for s in SUITE):.2f} s, one-pass summary {summary_s:.2f} s"
            )
        if checkpoint:
            checkpoint(results)
    return results


STEP_LABELS = {
    "persist": "persist (read)",
    "describe": "describe",
    "five_reductions": "  its five reductions",
    "quartiles": "  its quartiles",
    "groupby": "groupby",
    "isna": "isna",
    "corr": "corr",
    "corr_one_pass": "corr, one pass",
    "quartiles_one_pass": "quartiles, one task per partition",
}
SUITE_ITEM = "SUITE (describe+groupby+isna+corr)"
FAST_ITEM = "SUITE the fast way (one-pass summary+quartiles+groupby+isna)"


def _fast_item(d: dict) -> str:
    if "quartiles_one_pass_s" in d:
        return (
            "SUITE the fast way (one-pass summary, quartiles one task per partition, groupby, isna)"
        )
    return FAST_ITEM


def _suite(d: dict) -> float:
    return sum(d[f"{s}_s"] for s in SUITE)


def _fast_steps(d: dict) -> list[str]:
    quartiles = "quartiles_one_pass" if "quartiles_one_pass_s" in d else "quartiles"
    return ["summary_one_pass", quartiles, "groupby", "isna"]


def _fast_suite(d: dict) -> float:
    # the same answers, cheaper: one pass for count/mean/std/min/max and corr, then quartiles;
    # timed as one run where the file has it, else the sum of its steps timed on their own
    if "fast_suite_s" in d:
        return d["fast_suite_s"]
    return sum(d[f"{step}_s"] for step in _fast_steps(d))


def title(results: dict) -> str:
    return f"eda: taxi EDA suite on {results['rows']:,} generated rows, Dask vs pandas on one core"


def measurements(results: dict) -> list[dict]:
    p = results["pandas"]
    single = {
        "persist": p["read_s"],
        "corr_one_pass": p["corr_s"],
        "quartiles_one_pass": p["quartiles_s"],
    }
    rows = []
    for d in results["dask"]:
        common = {
            "workers": d["workers"],
            "threads": d["threads"],
            "work": results["rows"],
            "unit": "rows",
        }
        for step, label in STEP_LABELS.items():
            if f"{step}_s" not in d:  # a file from before the step was measured
                continue
            rows.append(
                {
                    "item": label,
                    "seconds": d[f"{step}_s"],
                    "single_s": single.get(step, p.get(f"{step}_s")),
                    **common,
                }
            )
        rows.append(
            {
                "item": SUITE_ITEM,
                "seconds": _suite(d),
                "single_s": _suite(p),
                "busy_s": d.get("suite_busy_s"),
                **common,
            }
        )
        rows.append(
            {"item": _fast_item(d), "seconds": _fast_suite(d), "single_s": _suite(p), **common}
        )
    return rows


def notes(results: dict) -> list[str]:
    p = results["pandas"]
    out = [
        f"pandas on one core: read {p['read_s']:.2f} s, suite {_suite(p):.2f} s; the ideal on N threads is "
        "that suite time / N (perfect scaling, no overhead); pandas' read_parquet is not one core (Arrow reads "
        "with its own threads), so the persist row's ratio compares with a multi-threaded read"
    ]
    worst_corr = max(d["corr_one_pass_max_diff"] for d in results["dask"])
    worst_stats = max(d["summary_one_pass_max_rel_diff"] for d in results["dask"])
    out.append(
        f"the fast way gives the same answers: one-pass correlation within {worst_corr:.1e} of pandas' "
        f"corr, one-pass count/mean/std/min/max within {worst_stats:.1e} (relative) of pandas' describe"
    )
    for d in results["dask"]:
        if "quartiles_by_partitions_s" not in d:
            continue
        out.append(
            f"quartiles on {d['threads']} thread{'s' if d['threads'] > 1 else ''}: Dask's quantile by "
            "partition count "
            + ", ".join(
                f"{count} partitions {seconds:.2f} s"
                for count, seconds in sorted(
                    d["quartiles_by_partitions_s"].items(), key=lambda kv: int(kv[0])
                )
            )
            + f" (data persisted in {d['partitions']}); one task per partition for all columns "
            f"(notebook 02's quartiles_one_pass) {d['quartiles_one_pass_s']:.2f} s, the same "
            f"answer (largest difference {d['quartiles_one_pass_max_diff']:.1e})"
        )
    return out + breakdown_notes(results) + model_notes(results)


def model_notes(results: dict) -> list[str]:
    """The scheduling model of each suite: validated from 1 worker to 2, asked about more."""
    out = []
    for label in ("suite", "fast suite"):
        runs = {
            d["workers"]: d["timed_runs"][label]
            for d in results["dask"]
            if label in d.get("timed_runs", {}) and d["threads"] == d["workers"]
        }
        out += model.notes(runs, f"the {label}")
    return out


def targets(results: dict) -> list[dict]:
    p = results["pandas"]
    d = max(results["dask"], key=lambda d: d["threads"])
    ideal = _suite(p) / d["threads"]
    out = []
    for name, seconds in [("out of the box", _suite(d)), ("the fast way", _fast_suite(d))]:
        out.append(
            {
                "name": f"suite {name} on {d['threads']} threads / ideal ({ideal:.2f} s)",
                "measured": seconds / ideal,
                "limit": 1.5,
                "better": "lower",
                "why": _why(p, d, name == "the fast way"),
            }
        )
    return out


def _why(p: dict, d: dict, fast: bool) -> str:
    """Which step costs most over its own ideal, and how busy the workers were."""
    threads = d["threads"]
    steps = _fast_steps(d) if fast else SUITE
    pandas_of = {s: p[f"{s}_s"] for s in steps if f"{s}_s" in p}
    pandas_of["summary_one_pass"] = p["five_reductions_s"] + p["corr_s"]  # what it replaces
    pandas_of["quartiles_one_pass"] = p["quartiles_s"]
    excess = {s: d[f"{s}_s"] - pandas_of[s] / threads for s in steps}
    worst = max(excess, key=excess.get)
    over = (_fast_suite(d) if fast else _suite(d)) - _suite(p) / threads
    text = (
        f"{worst} took {d[f'{worst}_s']:.2f} s against {pandas_of[worst] / threads:.2f} s (its pandas "
        f"time / {threads}): {excess[worst]:.2f} s of the suite's {over:.2f} s over the ideal"
    )
    if not fast:
        text += (
            f"; Dask's corr is a generic pairwise reduction, the one-pass correlation from per-partition "
            f"moments took {d['corr_one_pass_s']:.2f} s"
        )
    if d.get("suite_busy_s") and not fast:
        text += (
            f"; the workers computed for {d['suite_busy_s']:.1f} s of the {_suite(d) * threads:.1f} "
            f"thread-seconds the suite lasted ({d['suite_busy_s'] / (_suite(d) * threads):.0%} busy)"
        )
    return text
