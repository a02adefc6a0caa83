"""Dask workers as batch jobs on an HPC cluster with dask-jobqueue (SLURM here; PBS, SGE, LSF
and HTCondor work the same way with their own class).

    python deploy/hpc/slurm.py --jobs 4     # on a login node; prints the scheduler address
    python deploy/hpc/slurm.py --print-job  # just show the batch script it would submit

The scheduler runs where you start this (a login node or an interactive job); each SLURM job
runs one worker process with all the cores and memory it asks for. The job script activates
this repository's environment, which must be on a file system the compute nodes mount (your
home or project directory), and so must any data the notebooks read.
"""

from __future__ import annotations

import argparse
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

#: SLURMCluster arguments (per job). Adjust queue/account to your site.
SETTINGS = {
    "queue": "normal",
    "account": None,
    "cores": 16,
    "processes": 1,
    "memory": "64GiB",
    "walltime": "02:00:00",
    "job_script_prologue": [f"source {REPO / '.venv' / 'bin' / 'activate'}"],
    "python": "python",  # the activated environment's Python, not the one that submitted the job
    "worker_extra_args": [
        "--local-directory",
        "$TMPDIR",
    ],  # node-local scratch, not the shared disk
    "scheduler_options": {"dashboard_address": ":8787"},
}


def make_cluster(**overrides):
    from dask_jobqueue import SLURMCluster

    return SLURMCluster(**{**SETTINGS, **overrides})


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=2, help="SLURM jobs (one worker each) to start")
    parser.add_argument("--print-job", action="store_true", help="print the job script and stop")
    args = parser.parse_args(argv)
    cluster = make_cluster()
    if args.print_job:
        print(cluster.job_script())
        cluster.close()
        return
    from dask.distributed import Client

    cluster.scale(jobs=args.jobs)
    client = Client(cluster)
    print("scheduler:", cluster.scheduler_address, "| dashboard:", client.dashboard_link)
    print(f"python -m coursekit run --profile full --scheduler-address {cluster.scheduler_address}")
    input("press Enter to cancel the jobs ")
    client.close()
    cluster.close()


if __name__ == "__main__":
    main()
