"""Start a Dask cluster over SSH on machines you can log in to, then run the series on it.

    python deploy/ssh/cluster.py scheduler-host worker-host-1 worker-host-2 ...

Every host needs this repository's environment at the same path (clone it and run
`make .venv/bin/.installed` on each, or use a shared home directory), and passwordless SSH from
this machine. The first host runs the scheduler; every host listed after it runs workers.
The command-line equivalent is `dask ssh --hostfile hosts.txt --nworkers 1 --nthreads 4`.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

#: What each worker host starts (tune to the machines: one process per host, all its cores).
SETTINGS = {
    "worker_options": {"nthreads": 4, "memory_limit": "8GiB", "n_workers": 1},
    "scheduler_options": {"port": 8786, "dashboard_address": ":8787"},
    "remote_python": str(REPO / ".venv" / "bin" / "python"),  # the same environment everywhere
}


def main(hosts: list[str]) -> None:
    from dask.distributed import Client, SSHCluster

    if len(hosts) < 2:
        raise SystemExit("give the scheduler host and at least one worker host")
    cluster = SSHCluster(
        hosts,
        worker_options=SETTINGS["worker_options"],
        scheduler_options=SETTINGS["scheduler_options"],
        remote_python=SETTINGS["remote_python"],
    )
    client = Client(cluster)
    print("scheduler:", cluster.scheduler_address, "| dashboard:", client.dashboard_link)
    print("run the series on it with:")
    print(
        f"  python -m coursekit run --profile full --scheduler-address {cluster.scheduler_address}"
    )
    input("press Enter to stop the cluster ")
    client.close()
    cluster.close()


if __name__ == "__main__":
    main(sys.argv[1:])
