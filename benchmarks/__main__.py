"""One entry point for the course's benchmarks (programs that print figures, not tests).

    python -m benchmarks all --quick --json quick.json     # every workload, small, in minutes
    python -m benchmarks eda --rows 10000000                # one workload, 1, 2, 4 ... cores workers
    python -m benchmarks grid --grid seed --cv 8 --workers 2
    python -m benchmarks reviews --reviews 20000 100000
    python -m benchmarks tpot --generations 5 --population-size 16
    python -m benchmarks plot quick.json --out plots/       # speedup-vs-workers PNGs
    python -m benchmarks report                              # benchmarks/REPORT.md + README section

Every workload also runs on an existing cluster: --scheduler-address tcp://host:8786 (its own
workers; the eda data directory must then be storage every worker can read).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import shlex
import sys
import tempfile
import warnings
from pathlib import Path

from benchmarks import worker_counts

# the workloads' settings for ``all --quick`` (minutes on 2 cores) and ``all``
PROFILES = {
    "quick": {
        "eda": dict(rows=200_000, rows_per_file=50_000, memory_limit="1GiB"),
        "grid": dict(grid="reduced", cv=2, n_estimators=5),
        "reviews": dict(reviews=[2_000, 6_000], n_estimators=10, memory_limit="1GiB"),
        "tpot": dict(generations=2, population_size=4, cv=2, memory_limit="1GiB"),
    },
    "full": {
        "eda": dict(rows=10_000_000),
        "grid": dict(grid="seed", cv=3, methods=["loky", "joblib-dask-seq", "dask-ml"]),
        "reviews": dict(reviews=[20_000, 100_000]),
        "tpot": dict(generations=3, population_size=32),
    },
}


def machine(label: str | None = None) -> dict:
    import dask
    import pandas
    import psutil

    facts = {
        "cpu_count": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "dask": dask.__version__,
        "pandas": pandas.__version__,
    }
    for name in ["distributed", "sklearn", "xgboost", "tpot", "dask_ml"]:
        try:
            with warnings.catch_warnings():  # stopit (TPOT's) imports pkg_resources, which warns
                warnings.filterwarnings(
                    "ignore", message="pkg_resources is deprecated", category=UserWarning
                )
                facts[name] = __import__(name).__version__
        except ImportError:
            pass
    return {**facts, "label": label} if label else facts


def _parser() -> argparse.ArgumentParser:
    from benchmarks.grid import METHODS

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=worker_counts(),
        help="worker counts (default: 1, 2, 4, ... up to the core count)",
    )
    common.add_argument(
        "--scheduler-address",
        default=os.environ.get("DASK_SCHEDULER_ADDRESS"),
        help="run on this existing cluster (its workers) instead of LocalClusters",
    )
    common.add_argument(
        "--json", default=None, help="also write the results (with machine facts) here"
    )
    common.add_argument("--label", default=None, help="a name for this machine in the report")

    eda = sub.add_parser(
        "eda", parents=[common], help="taxi EDA suite (notebook 02) vs pandas on one core"
    )
    eda.add_argument("--rows", type=int, default=2_000_000)
    eda.add_argument("--threads-per-worker", type=int, default=1)
    eda.add_argument("--memory-limit", default="4GiB")
    eda.add_argument("--rows-per-file", type=int, default=1_000_000)
    eda.add_argument(
        "--data-dir", default=None, help="where generated data is kept (reused next time)"
    )
    grid = sub.add_parser(
        "grid", parents=[common], help="notebook 03's grid search: scikit-learn vs Dask"
    )
    grid.add_argument("--grid", choices=["seed", "reduced"], default="seed")
    grid.add_argument("--cv", type=int, default=8)
    grid.add_argument("--n-estimators", type=int, default=20)
    grid.add_argument("--methods", nargs="+", default=METHODS, choices=METHODS)
    reviews = sub.add_parser(
        "reviews", parents=[common], help="notebook 04's hashing + XGBoost/SGD: one machine vs Dask"
    )
    reviews.add_argument(
        "--reviews",
        type=int,
        nargs="+",
        default=[20_000, 100_000],
        help="sizes to resample the shipped reviews to",
    )
    reviews.add_argument("--threads-per-worker", type=int, default=1)
    reviews.add_argument("--memory-limit", default="2GiB")
    reviews.add_argument("--n-features", type=int, default=2**16)
    reviews.add_argument("--n-estimators", type=int, default=100)
    tpot = sub.add_parser(
        "tpot",
        parents=[common],
        help="notebook 05's TPOT search: evaluations per minute on 1..N workers",
    )
    tpot.add_argument("--generations", type=int, default=5)
    tpot.add_argument("--population-size", type=int, default=16)
    tpot.add_argument("--cv", type=int, default=3)
    tpot.add_argument("--threads-per-worker", type=int, default=1)
    tpot.add_argument("--memory-limit", default="2GiB")
    everything = sub.add_parser("all", parents=[common], help="every workload, one result file")
    everything.add_argument(
        "--quick", action="store_true", help="small sizes: a couple of minutes on 2 cores"
    )
    everything.add_argument(
        "--only", nargs="+", choices=["eda", "grid", "reviews", "tpot"], default=None
    )
    plot = sub.add_parser("plot", help="speedup-vs-workers PNGs from result files")
    plot.add_argument("results", nargs="+")
    plot.add_argument("--out", required=True)
    report = sub.add_parser(
        "report",
        help="benchmarks/REPORT.md, its plots and README's Performance "
        "section, from benchmarks/results/*.json",
    )
    report.add_argument(
        "--check", action="store_true", help="fail if the report is not what the files give"
    )
    return parser


def run_workload(
    workload: str,
    settings: dict,
    workers: list[int],
    scheduler_address: str | None,
    checkpoint=None,
) -> dict:
    """Runs one workload with ``settings`` (its subcommand's options, by argparse name) and returns
    its results; ``checkpoint(results)`` gets the results so far after every worker count."""
    s = settings
    if workload == "tpot":
        from benchmarks import tpot_search

        return tpot_search.run(
            workers,
            s["generations"],
            s["population_size"],
            s["cv"],
            s["threads_per_worker"],
            s["memory_limit"],
            scheduler_address,
            checkpoint=checkpoint,
        )
    if workload == "reviews":
        from benchmarks import reviews

        return reviews.run(
            s["reviews"],
            workers,
            s["n_features"],
            s["n_estimators"],
            s["threads_per_worker"],
            s["memory_limit"],
            scheduler_address,
            checkpoint=checkpoint,
        )
    if workload == "grid":
        from benchmarks import grid

        return grid.run(
            s["grid"],
            s["cv"],
            s["n_estimators"],
            workers,
            s["methods"],
            scheduler_address,
            checkpoint=checkpoint,
        )
    from benchmarks import eda

    rows = s["rows"]
    data_dir = Path(s["data_dir"] or Path(tempfile.gettempdir()) / f"course-taxi-{rows}")
    return eda.run(
        rows,
        workers,
        s["threads_per_worker"],
        data_dir,
        s["rows_per_file"],
        s["memory_limit"],
        scheduler_address,
        checkpoint=checkpoint,
    )


PARTIAL = (
    "the run had not finished when this file was written (it stopped, was stopped, or is still "
    "running): it holds every worker count that finished"
)


def _writer(path: str | None, facts: dict):
    """save(document, partial): the result file, rewritten whole after every worker count, so
    that a run cut off by a time limit keeps what it measured (os.replace: never half a file)."""

    def save(document: dict, partial: bool) -> None:
        if not path:
            return
        out = {**document, **facts, **({"partial": PARTIAL} if partial else {})}
        tmp = Path(f"{path}.tmp")
        tmp.write_text(json.dumps(out, indent=1))
        os.replace(tmp, path)

    return save


def _without_json(argv: list[str]) -> list[str]:
    """The command line as a reader would rerun it (the output file left out)."""
    shown, skip = [], False
    for arg in argv:
        if not skip and arg != "--json" and not arg.startswith("--json="):
            shown.append(arg)
        skip = arg == "--json"
    return shown


def main(argv=None) -> int:
    from benchmarks import progress
    from benchmarks.summary import text, workloads_in

    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "plot":
        from benchmarks.plots import plot_file

        for path in args.results:
            for png in plot_file(path, args.out):
                print(png)
        return 0
    if args.command == "report":
        from benchmarks.report import write_report

        return write_report(check=args.check)

    facts = {
        "machine": machine(args.label),
        "command": "python -m benchmarks " + shlex.join(_without_json(argv)),
    }
    save = _writer(args.json, facts)
    if args.command == "all":
        settings = copy.deepcopy(PROFILES["quick" if args.quick else "full"])
        if not args.quick:  # enough pipelines for every worker
            settings["tpot"]["population_size"] = max(
                settings["tpot"]["population_size"], 2 * max(args.workers)
            )
        document = {"workloads": {}}
        for name in progress(args.only or list(settings), "workloads"):

            def checkpoint(results, name=name):
                document["workloads"][name] = results
                save(document, partial=True)

            # the profile's sizes over the subcommand's own defaults: one place for each default
            options = {**vars(parser.parse_args([name])), **settings[name]}
            checkpoint(
                run_workload(name, options, args.workers, args.scheduler_address, checkpoint)
            )
    else:
        document = run_workload(
            args.command,
            vars(args),
            args.workers,
            args.scheduler_address,
            lambda results: save(results, partial=True),
        )
    save(document, partial=False)
    document.update(facts)
    print(f"machine: {document['machine']}")
    for results in workloads_in(document).values():
        print(text(results), end="\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
