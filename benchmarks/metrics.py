"""What the measurements mean: throughput, speedup, parallel efficiency, busy share, and each
target's verdict with why it was missed (from the measured task times).

A measurement (a row a workload's ``measurements(results)`` gives): ``item`` (a step or method),
``workers``, ``threads``, ``seconds``, ``work`` and ``unit`` (what a second of throughput
counts), ``single_s`` (the single-machine alternative's time for the same work, or None) and
optionally ``busy_s`` (the tasks' summed compute time on the cluster).
"""

from __future__ import annotations


def scaled(rows: list[dict]) -> list[dict]:
    """The rows plus throughput, speedup and parallel efficiency against the fewest threads
    the same item ran on, and the ratio to the single-machine alternative."""
    first: dict[str, dict] = {}
    counts: dict[str, set] = {}
    for row in sorted(rows, key=lambda r: r["threads"]):
        first.setdefault(row["item"], row)
        counts.setdefault(row["item"], set()).add(row["threads"])
    order = list(dict.fromkeys(r["item"] for r in rows))
    out = []
    for row in sorted(rows, key=lambda r: (order.index(r["item"]), r["threads"])):
        base = first[row["item"]]
        speedup = base["seconds"] / row["seconds"] if len(counts[row["item"]]) > 1 else None
        out.append(
            {
                **row,
                "throughput": row["work"] / row["seconds"],
                "speedup": speedup,
                "efficiency": speedup / (row["threads"] / base["threads"]) if speedup else None,
                "vs_single": row["seconds"] / row["single_s"] if row.get("single_s") else None,
                "utilization": row["busy_s"] / (row["seconds"] * row["threads"])
                if row.get("busy_s")
                else None,
            }
        )
    return out


def scaling_items(rows: list[dict]) -> dict[str, list[dict]]:
    """{item: its scaled rows by thread count} for the items measured at two or more thread
    counts (those a speedup plot can show)."""
    items: dict[str, list[dict]] = {}
    for row in rows:
        items.setdefault(row["item"].strip(), []).append(row)
    return {
        k: sorted(v, key=lambda r: r["threads"])
        for k, v in items.items()
        if len({r["threads"] for r in v}) > 1
    }


def busy_why(run: dict, threads: int, task: str) -> str:
    """How much of the cluster's capacity computed, and the longest task."""
    if not run.get("busy_s"):
        return "this result file has no task timings (recorded before they were measured)"
    return (
        f"at {threads} worker{'s' if threads > 1 else ''} the tasks computed for {run['busy_s']:.1f} s of the "
        f"{run['wall_s'] * threads:.1f} worker-seconds ({run['busy_s'] / (run['wall_s'] * threads):.0%} busy); "
        f"the longest {task} took {run['longest_task_s']:.2f} s of the {run['wall_s']:.2f} s wall time"
    )


def scaling_why(first: dict, last: dict, task: str) -> str:
    """Parallel efficiency = (busy share at N / busy share at 1) x (compute at 1 / compute at N):
    idle capacity, or the same work taking longer when more workers run."""
    if not (first.get("busy_s") and last.get("busy_s")):
        return "this result file has no task timings (recorded before they were measured)"
    n0, n = first["workers"], last["workers"]
    u0 = first["busy_s"] / (first["wall_s"] * n0)
    u = last["busy_s"] / (last["wall_s"] * n)
    growth = last["busy_s"] / first["busy_s"]
    return (
        f"busy share {u0:.0%} at {n0} worker(s), {u:.0%} at {n} (idle: scheduling, transfers, and the end "
        f"where fewer {task}s than workers remain; longest {task} {last['longest_task_s']:.2f} s); "
        f"the same {task}s needed {growth:.2f}x the compute time at {n} workers"
        + (
            " (each ran slower with more running at once; the usual causes: cores share memory bandwidth, "
            "caches and clock boost)"
            if growth > 1.05
            else ""
        )
    )


def verdict(target: dict) -> str:
    """'met' or 'missed by ...' for a target {name, measured, limit, better: 'lower'|'higher'}."""
    measured, limit = target["measured"], target["limit"]
    ok = measured <= limit if target["better"] == "lower" else measured >= limit
    if ok:
        return "met"
    return f"missed by {abs(measured - limit):.3f} ({abs(measured / limit - 1):.1%})"


BREAKDOWN = {
    "before": "client: graph, submission, first assignment",
    "warmup": "warm-up: first task per worker, beyond its group's median",
    "compute": "compute",
    "transfer": "transfers",
    "overhead": "between tasks: scheduling, serialization",
    "barrier": "barrier: workers idle while a stage's last tasks ran",
    "between": "between stages: the client's next step, or a new kind of task",
    "tail": "tail: workers idle while the last tasks ran",
    "after": "client: results back, refit, aggregation",
}


def stages(records: list[list]) -> list[list[list]]:
    """The run's records split at its barriers: a group whose first task started only after every
    task of the groups started before it had finished begins a new stage (a dependency the run
    showed: scores after fits, one computation after another, a TPOT generation after the one it
    was bred from). With one thread every new group looks like that; one stage if none does."""
    first_start: dict[str, float] = {}
    for r in sorted(records, key=lambda r: r[2]):
        first_start.setdefault(r[0], r[2])
    out: list[list[list]] = []
    stop_so_far = None
    for group in sorted(first_start, key=first_start.get):
        members = [r for r in records if r[0] == group]
        if out and first_start[group] >= stop_so_far - 1e-6:
            out.append([])
        elif not out:
            out.append([])
        out[-1] += members
        stop = max(r[3] for r in members)
        stop_so_far = stop if stop_so_far is None else max(stop_so_far, stop)
    return [sorted(stage, key=lambda r: r[2]) for stage in out]


def breakdown(wall_s: float, threads: int, records: list[list]) -> dict[str, float] | None:
    """Where a run's wall time went, in seconds that add up to ``wall_s``: before the first task
    started, after the last one stopped, and in between the cluster's thread-seconds split into
    warm-up, compute, transfers, barrier waits (threads idle once they had no task left in a
    stage that others were still finishing), the client's time between stages, the tail (the
    same in the last stage) and what remains — the time between one task and the next on a
    thread — each divided by ``threads``.

    ``records``: ``[group, worker, start, stop, transfer_s]`` per task, seconds from the run's
    start (``benchmarks.harness.task_time(records=True)``); one thread per worker."""
    if not records:
        return None
    first = min(r[2] for r in records)
    last = max(r[3] for r in records)
    window = last - first
    compute = sum(r[3] - r[2] for r in records)
    transfer = sum(r[4] for r in records)
    warmup = sum(warmups(records).values())
    parts = stages(records)
    idle, between = [], 0.0
    for i, stage in enumerate(parts):
        start, end = min(r[2] for r in stage), max(r[3] for r in stage)
        lasts: dict[int, float] = {}
        for r in stage:
            lasts[r[1]] = max(lasts.get(r[1], start), r[3])
        # threads that ran no task in the stage were idle for all of it
        idle.append(
            sum(end - stop for stop in lasts.values())
            + (end - start) * max(0, threads - len(lasts))
        )
        if i + 1 < len(parts):
            between += min(r[2] for r in parts[i + 1]) - end
    barrier, tail = sum(idle[:-1]), idle[-1]
    overhead = max(0.0, window * threads - compute - transfer - tail - barrier - between * threads)
    return {
        "before": first,
        "warmup": warmup / threads,
        "compute": (compute - warmup) / threads,
        "transfer": transfer / threads,
        "overhead": overhead / threads,
        "barrier": barrier / threads,
        "between": between,
        "tail": tail / threads,
        "after": max(0.0, wall_s - last),
    }


def group_medians(records: list[list]) -> dict[str, float]:
    """The median compute time of each task group."""
    durations: dict[str, list[float]] = {}
    for r in records:
        durations.setdefault(r[0], []).append(r[3] - r[2])
    return {group: sorted(d)[len(d) // 2] for group, d in durations.items()}


def warmups(records: list[list]) -> dict[int, float]:
    """{id of a worker's first task record: its time beyond its group's median} — the warm-up
    (imports, deserialisation) each worker paid once."""
    medians = group_medians(records)
    firsts: dict[int, list] = {}
    for r in sorted(records, key=lambda r: r[2]):
        firsts.setdefault(r[1], r)
    return {id(r): max(0.0, (r[3] - r[2]) - medians[r[0]]) for r in firsts.values()}


def run_breakdowns(results: dict) -> list[tuple[str, dict, dict[str, float]]]:
    """(label, run, breakdown) for every run of a result that recorded its tasks: the runs in
    ``rows`` (labelled by their method, else the workload), and the steps timed on their own
    (``timed_runs``, by label, in eda's and reviews' results)."""
    runs = results.get("rows")
    if isinstance(runs, list):
        labelled = [(r.get("method", results.get("workload", "")), r) for r in runs]
    else:
        labelled = list(_timed_runs(results))
    out = []
    for label, r in labelled:
        threads = r.get("threads") or r["workers"] * results.get("threads_per_worker", 1)
        parts = breakdown(r["wall_s"], threads, r.get("records"))
        if parts:
            out.append((label, r, parts))
    return out


def _timed_runs(value):
    if isinstance(value, dict):
        yield from value.get("timed_runs", {}).items()
        for key, inner in value.items():
            if key != "timed_runs":
                yield from _timed_runs(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _timed_runs(inner)


def breakdown_notes(results: dict) -> list[str]:
    """The report's line for every run that recorded its tasks: where its time went."""
    return [
        f"where the time went, {label} at {r['workers']} worker{'s' if r['workers'] > 1 else ''}: "
        + breakdown_text(parts)
        for label, r, parts in run_breakdowns(results)
    ]


def breakdown_text(parts: dict[str, float]) -> str:
    total = sum(parts.values())
    return ", ".join(
        f"{name} {seconds:.2f} s ({seconds / total:.0%})" for name, seconds in parts.items()
    )
