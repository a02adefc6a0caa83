"""Command line: ``python -m coursekit run`` runs the series; ``generate`` makes scale data;
``site`` builds the course's website from a run."""

from __future__ import annotations

import argparse
import sys

import yaml


def _parse_overrides(pairs: list[str]) -> dict:
    overrides = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise SystemExit(f"-p takes NAME=VALUE (a YAML value), not {pair!r}")
        overrides[name] = yaml.safe_load(value)
    return overrides


def main(argv=None) -> int:
    from .data import DataError
    from .params import ParameterError, available_profiles

    parser = argparse.ArgumentParser(prog="python -m coursekit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the notebook series headless with papermill")
    run.add_argument(
        "--profile",
        default="binder",
        help=f"parameter profile (default: binder; available: {', '.join(available_profiles())})",
    )
    run.add_argument(
        "--output", default="runs", help="folder for executed notebooks and the summary"
    )
    run.add_argument(
        "--only",
        action="append",
        metavar="PREFIX",
        help="run only notebooks whose file name starts with PREFIX (repeatable), e.g. 01",
    )
    run.add_argument(
        "-p",
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a parameter in every selected notebook",
    )
    run.add_argument(
        "--scheduler-address",
        default=None,
        help="join this Dask scheduler instead of starting a LocalCluster",
    )
    gen = sub.add_parser(
        "generate", help="write taxi trips resampled from the real sample as Parquet"
    )
    gen.add_argument("rows", type=int)
    gen.add_argument("out_dir")
    gen.add_argument("--rows-per-file", type=int, default=1_000_000)
    gen.add_argument("--seed", type=int, default=0)
    nbs = sub.add_parser("notebooks", help="check or apply the rule for stored notebook outputs")
    nbs.add_argument(
        "--check", action="store_true", help="list every notebook that breaks the rule"
    )
    nbs.add_argument(
        "--refresh",
        nargs="+",
        default=[],
        metavar="NOTEBOOK",
        help="execute with default parameters and store the checked cells' outputs",
    )
    lock = sub.add_parser(
        "lockcheck", help="fail when installed versions differ from a pip lock file"
    )
    lock.add_argument("lock_file", nargs="?", default="requirements.lock")
    nbs.add_argument(
        "--match-kernel",
        action="store_true",
        help="store this environment's kernel metadata in every notebook (Binder's postBuild)",
    )
    site = sub.add_parser(
        "site", help="build the course's website from a run (Sphinx, offline) into site/"
    )
    site.add_argument(
        "--profile", default="binder", help="profile of the run the site shows (default: binder)"
    )
    site.add_argument(
        "--from-run",
        nargs="+",
        default=None,
        metavar="DIR",
        help="build from these run folders instead of running the series first",
    )
    site.add_argument("--out", default="site", help="the site's folder (default: site)")
    args = parser.parse_args(argv)

    try:
        if args.command == "site":
            from pathlib import Path

            from .runner import SeriesFailed, run_series
            from .site import SiteError, build

            run_dirs = args.from_run
            if not run_dirs:
                run_dirs = [f"runs/site-{args.profile}"]
                try:
                    run_series(args.profile, run_dirs[0])
                except SeriesFailed as err:
                    print(f"FAILED: {err}", file=sys.stderr)
                    return 1
            try:
                build([Path(d) for d in run_dirs], Path(args.out))
            except SiteError as err:
                print(f"FAILED: {err}", file=sys.stderr)
                return 1
            return 0
        if args.command == "run":
            from .runner import SeriesFailed, run_series

            overrides = _parse_overrides(args.parameter)
            if args.scheduler_address:
                overrides["scheduler_address"] = args.scheduler_address
            try:
                runs = run_series(args.profile, args.output, only=args.only, overrides=overrides)
            except SeriesFailed as err:
                print(f"FAILED: {err}", file=sys.stderr)
                return 1
            print(
                f"all {len(runs)} notebooks ran; summary in {args.output}/{args.profile}/summary.md"
            )
        elif args.command == "notebooks":
            from .rules import match_kernel, problems, refresh
            from .series import notebooks

            if args.match_kernel:
                changed = match_kernel(notebooks())
                print(f"kernel metadata matched in {len(changed)} notebooks")
                return 0

            for path in args.refresh:
                refresh(path)
                print(f"refreshed {path}")
            failed = {nb.name: problems(nb) for nb in notebooks()}
            failed = {name: found for name, found in failed.items() if found}
            for name, found in failed.items():
                print(f"{name}:\n  - " + "\n  - ".join(found))
            if failed:
                return 1
            print("every notebook follows the output rule and the skeleton")
        elif args.command == "lockcheck":
            from .lockcheck import differences, locked

            found = differences(args.lock_file)
            for line in found:
                print(f"not as locked: {line}", file=sys.stderr)
            if found:
                return 1
            print(
                f"all {len(locked(args.lock_file))} packages of {args.lock_file} are installed at their locked versions"
            )
        else:
            from .generate import generate_taxi

            out = generate_taxi(
                args.rows,
                args.out_dir,
                rows_per_file=args.rows_per_file,
                seed=args.seed,
                progressbar=True,
            )
            print(f"{args.rows:,} rows in {out}")
    except (ParameterError, DataError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
