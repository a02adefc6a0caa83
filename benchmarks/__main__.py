"""One entry point for the course's benchmarks (programs that print figures, not tests).

    python -m benchmarks eda --rows 10000000 --workers 1 2
    python -m benchmarks grid --grid seed --cv 8 --workers 2
    python -m benchmarks reviews --reviews 20000 100000 --workers 1 2
    python -m benchmarks tpot --generations 5 --population-size 16 --workers 1 2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from pathlib import Path


def machine() -> dict:
    import dask
    import pandas
    import psutil

    return {"cpu_count": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "machine": platform.machine(),
            "dask": dask.__version__, "pandas": pandas.__version__}


def main(argv=None) -> int:
    from benchmarks.grid import METHODS

    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="workload", required=True)
    eda = sub.add_parser("eda", help="taxi EDA suite (notebook 02) vs pandas on one core")
    eda.add_argument("--rows", type=int, default=2_000_000)
    eda.add_argument("--workers", type=int, nargs="+", default=[1, os.cpu_count() or 1])
    eda.add_argument("--threads-per-worker", type=int, default=1)
    eda.add_argument("--memory-limit", default="4GiB")
    eda.add_argument("--rows-per-file", type=int, default=1_000_000)
    eda.add_argument("--data-dir", default=None, help="where generated data is kept (reused next time)")
    eda.add_argument("--json", default=None, help="also write the results (with machine facts) here")
    grid = sub.add_parser("grid", help="notebook 03's grid search: scikit-learn vs Dask")
    grid.add_argument("--grid", choices=["seed", "reduced"], default="seed")
    grid.add_argument("--cv", type=int, default=8)
    grid.add_argument("--n-estimators", type=int, default=20)
    grid.add_argument("--workers", type=int, nargs="+", default=[os.cpu_count() or 1])
    grid.add_argument("--methods", nargs="+", default=METHODS, choices=METHODS)
    grid.add_argument("--json", default=None, help="also write the results (with machine facts) here")
    reviews = sub.add_parser("reviews", help="notebook 04's hashing + XGBoost/SGD: one machine vs Dask")
    reviews.add_argument("--reviews", type=int, nargs="+", default=[20_000, 100_000],
                         help="sizes to resample the shipped reviews to")
    reviews.add_argument("--workers", type=int, nargs="+", default=[1, os.cpu_count() or 1])
    reviews.add_argument("--threads-per-worker", type=int, default=1)
    reviews.add_argument("--memory-limit", default="2GiB")
    reviews.add_argument("--n-features", type=int, default=2**16)
    reviews.add_argument("--n-estimators", type=int, default=100)
    reviews.add_argument("--json", default=None, help="also write the results (with machine facts) here")
    tpot = sub.add_parser("tpot", help="notebook 05's TPOT search: evaluations per minute on 1..N workers")
    tpot.add_argument("--workers", type=int, nargs="+", default=[1, os.cpu_count() or 1])
    tpot.add_argument("--generations", type=int, default=5)
    tpot.add_argument("--population-size", type=int, default=16)
    tpot.add_argument("--cv", type=int, default=3)
    tpot.add_argument("--threads-per-worker", type=int, default=1)
    tpot.add_argument("--memory-limit", default="2GiB")
    tpot.add_argument("--json", default=None, help="also write the results (with machine facts) here")
    args = parser.parse_args(argv)

    if args.workload == "tpot":
        from benchmarks import tpot_search as workload

        results = workload.run(args.workers, args.generations, args.population_size, args.cv,
                               args.threads_per_worker, args.memory_limit)
    elif args.workload == "reviews":
        from benchmarks import reviews as workload

        results = workload.run(args.reviews, args.workers, args.n_features, args.n_estimators,
                               args.threads_per_worker, args.memory_limit)
    elif args.workload == "grid":
        from benchmarks import grid as workload

        results = workload.run(args.grid, args.cv, args.n_estimators, args.workers, args.methods)
    else:
        from benchmarks import eda as workload

        data_dir = Path(args.data_dir or Path(tempfile.gettempdir()) / f"course-taxi-{args.rows}")
        results = workload.run(args.rows, args.workers, args.threads_per_worker, data_dir,
                               args.rows_per_file, args.memory_limit)
    results["machine"] = machine()
    print(f"machine: {results['machine']}")
    print(workload.report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
