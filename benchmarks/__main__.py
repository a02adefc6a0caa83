"""One entry point for the course's benchmarks (programs that print figures, not tests).

    python -m benchmarks all --quick --json quick.json     # every workload, small, in minutes
    python -m benchmarks eda --rows 10000000                # one workload, 1, 2, 4 ... cores workers
    python -m benchmarks grid --grid seed --cv 8 --workers 2
    python -m benchmarks reviews --reviews 20000 100000
    python -m benchmarks tpot --generations 5 --population-size 16
    python -m benchmarks plot quick.json --out plots/       # speedup-vs-workers PNGs
    python -m benchmarks report                              # benchmarks/REPORT.md + README section

Every workload also runs on an existing cluster: --scheduler-address tcp://host:8786 measures it
once, with all its workers (no --workers then; the eda data directory must be storage every
worker can read). The workloads are listed in benchmarks/registry.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
from pathlib import Path

from benchmarks.harness import worker_counts
from benchmarks.registry import WORKLOADS

COMMON = ("command", "workers", "scheduler_address", "json", "label")


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
        module = sys.modules.get(name)  # the workloads imported them
        if module is not None:
            facts[name] = module.__version__
    return {**facts, "label": label} if label else facts


def _parser() -> argparse.ArgumentParser:
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
        default=None,
        help="LocalCluster worker counts (default: 1, 2, 4, ... up to the core count); "
        "not with --scheduler-address",
    )
    common.add_argument(
        "--scheduler-address",
        default=os.environ.get("DASK_SCHEDULER_ADDRESS"),
        help="run once on this existing cluster (all its workers) instead of LocalClusters",
    )
    common.add_argument(
        "--json", default=None, help="also write the results (with machine facts) here"
    )
    common.add_argument("--label", default=None, help="a name for this machine in the report")
    for name, workload in WORKLOADS.items():
        workload.add_arguments(sub.add_parser(name, parents=[common], help=workload.HELP))
    everything = sub.add_parser("all", parents=[common], help="every workload, one result file")
    everything.add_argument(
        "--quick", action="store_true", help="small sizes: a couple of minutes on 2 cores"
    )
    everything.add_argument("--only", nargs="+", choices=list(WORKLOADS), default=None)
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


def _workers(parser, args) -> list[int]:
    """The worker counts to measure: LocalClusters of each count, or, on an existing cluster,
    one measurement with all its workers (a count there would be a wish the cluster ignores)."""
    if not args.scheduler_address:
        return args.workers or worker_counts()
    if args.workers:
        parser.error(
            "--workers sets the sizes of LocalClusters; with --scheduler-address the benchmark "
            "measures the existing cluster once, with all its workers: leave --workers out "
            "(scale the cluster itself to measure other sizes)"
        )
    from dask.distributed import Client

    try:
        with Client(args.scheduler_address, timeout="30s") as client:
            n = len(client.scheduler_info(n_workers=-1)["workers"])
    except OSError as error:
        parser.exit(2, f"cannot reach the Dask scheduler at {args.scheduler_address}: {error}\n")
    if n == 0:
        parser.exit(2, f"the Dask scheduler at {args.scheduler_address} has no workers\n")
    return [n]


def _options(args: argparse.Namespace) -> dict:
    """A workload's own options, by argparse name (the common ones left out)."""
    return {k: v for k, v in vars(args).items() if k not in COMMON}


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
    from benchmarks.harness import progress
    from benchmarks.registry import workloads_in
    from benchmarks.render import text

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

    workers = _workers(parser, args)
    facts = {
        "machine": machine(args.label),
        "command": "python -m benchmarks " + shlex.join(_without_json(argv)),
    }
    save = _writer(args.json, facts)
    if args.command == "all":
        size = "quick" if args.quick else "full"
        document = {"workloads": {}}
        for name in progress(args.only or list(WORKLOADS), "workloads"):
            workload = WORKLOADS[name]

            def checkpoint(results, name=name):
                document["workloads"][name] = results
                save(document, partial=True)

            # the workload's sizes over its subcommand's own defaults: one place for each default
            options = {**_options(parser.parse_args([name])), **workload.SIZES[size]}
            if name == "tpot" and not args.quick:  # enough pipelines for every worker
                options["population_size"] = max(options["population_size"], 2 * max(workers))
            checkpoint(
                workload.run(
                    workers,
                    scheduler_address=args.scheduler_address,
                    checkpoint=checkpoint,
                    **options,
                )
            )
    else:
        document = WORKLOADS[args.command].run(
            workers,
            scheduler_address=args.scheduler_address,
            checkpoint=lambda results: save(results, partial=True),
            **_options(args),
        )
    save(document, partial=False)
    document.update(facts)
    print(f"machine: {document['machine']}")
    for results in workloads_in(document).values():
        print(text(results), end="\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
