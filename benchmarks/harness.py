"""The harness every workload uses: clusters, timing, progress bars and task timing."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager

import dask
from dask.distributed import Client, LocalCluster, get_task_stream
from dask.utils import key_split
from tqdm.auto import tqdm


def timed(fn):
    """(seconds, result) of calling ``fn()``."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def worker_counts(cores: int | None = None) -> list[int]:
    """1, 2, 4, ... up to the core count (the core count itself included)."""
    cores = cores or os.cpu_count() or 1
    counts = [1]
    while counts[-1] * 2 <= cores:
        counts.append(counts[-1] * 2)
    return counts if counts[-1] == cores else [*counts, cores]


def progress(items, desc: str):
    """A progress bar on stderr (the tables go to stdout)."""
    return tqdm(items, desc=desc, leave=False)


def say(text: str) -> None:
    """Print a line without breaking a progress bar."""
    tqdm.write(text)


@contextmanager
def cluster_client(
    n_workers: int,
    threads_per_worker: int,
    memory_limit: str,
    scheduler_address: str | None = None,
    profiler: bool = True,
):
    """A client of a new LocalCluster (loopback, random dashboard port) with ``n_workers``, or
    of the existing cluster at ``scheduler_address`` (its own workers: ``n_workers`` is ignored).
    ``profiler=False`` starts the workers without their sampling profiler (the dashboard's
    Profile page; Dask's ``distributed.worker.profile.enabled``), which wakes every 10 ms in
    every worker. Yields (client, number of workers, threads in all)."""
    if scheduler_address:
        with Client(scheduler_address, timeout="30s") as client:
            workers = client.scheduler_info(n_workers=-1)["workers"]
            yield client, len(workers), sum(w["nthreads"] for w in workers.values())
        return
    with (
        dask.config.set({"distributed.worker.profile.enabled": profiler}),
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=threads_per_worker,
            memory_limit=memory_limit,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        ) as cluster,
        Client(cluster) as client,
    ):
        client.wait_for_workers(n_workers)
        yield client, n_workers, n_workers * threads_per_worker


class TaskStats(dict):
    """What ``task_time`` measured (a dict, stored as is in the result files), and ``began``: the
    client's ``time.time()`` at the block's start, which the records' times count from."""

    began: float = 0.0


@contextmanager
def task_time(client, records: bool = False):
    """Records the tasks the cluster computes inside the block: ``stats`` gets their count, their
    summed compute time (``busy_s``) and the longest one. Busy time over (wall time x threads)
    is how much of the cluster's capacity did work; the report uses it to say why a run
    scaled as it did. With ``records``, ``stats["records"]`` also holds one row per computation —
    ``[group, worker, start, stop, transfer_s]``, times in seconds from the block's start — for
    ``benchmarks.metrics.breakdown`` and the scheduling model (``benchmarks.model``); the clock
    they count from is ``stats.began``, which is not stored."""
    stats = TaskStats()
    with get_task_stream(client) as stream:
        began = stats.began = time.time()
        yield stats
    ended = time.time()

    def spans(task, actions):
        # a key computed before the block (a persisted partition a new graph refers to) can be
        # reported again inside it, with its old times: only what started in the block counts
        return [
            ss
            for ss in task.get("startstops", [])
            if ss.get("action") in actions and ss["start"] >= began - 1e-3
        ]

    durations = [
        ss["stop"] - ss["start"] for task in stream.data for ss in spans(task, ("compute",))
    ]
    stats.update(
        tasks=sum(1 for task in stream.data if spans(task, ("compute",))),
        busy_s=float(sum(durations)),
        longest_task_s=float(max(durations, default=0.0)),
    )
    if records:
        workers = sorted({task["worker"] for task in stream.data})
        rows = []
        for task in stream.data:
            transfer = sum(
                ss["stop"] - ss["start"] for ss in spans(task, ("transfer", "disk-read"))
            )
            # a key computed twice (released, then needed again) has two compute spans: two rows
            for ss in spans(task, ("compute",)):
                rows.append(
                    [
                        _group(task["key"]),
                        workers.index(task["worker"]),
                        round(ss["start"] - began, 5),
                        round(ss["stop"] - began, 5),
                        round(transfer, 5),
                    ]
                )
                transfer = 0.0  # counted once per task
        stats.update(records=sorted(rows, key=lambda r: r[2]), block_s=ended - began)


def _group(key) -> str:
    """A task's group: its key's name without the token (``'fit-3f2a…'`` -> ``'fit'``)."""
    return key_split(key)
