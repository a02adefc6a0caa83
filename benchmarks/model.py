"""A small scheduling model: what a recorded run would take on N workers.

A discrete-event simulation over a run's own task records (``benchmarks.harness.task_time(
records=True)``), not a guess. Its inputs, all measured in that run:

- each task's compute time, in the order the run started them (its group kept: a group that
  depends on another — a search's scores on its fits — starts only when that one has finished,
  a barrier, as a TPOT generation waits for its slowest evaluation);
- the per-task overhead: the run's thread-seconds between tasks divided by its task count;
- each worker's warm-up: the first task's time beyond its group's median, paid once per worker;
- the fixed client time before the first task and after the last one.

Simulated: tasks go, in order, to whichever thread is free first (Dask's scheduler does about
that for independent tasks); a group waits for the groups listed as its barriers. Transfers are
in the per-task overhead. What it leaves out: slower tasks when many run at once on one
machine (memory bandwidth, clock boost), and a scheduler that itself becomes the bottleneck at
thousands of tasks per second; the validation error shows how much that matters.
"""

from __future__ import annotations

import heapq

from benchmarks.metrics import breakdown, group_medians, warmups


def inputs(wall_s: float, threads: int, records: list[list]) -> dict:
    """The model's inputs, measured from one run."""
    parts = breakdown(wall_s, threads, records)
    warm = warmups(records)  # modelled on their own, once per thread
    tasks = [
        (r[0], r[3] - r[2] - warm.get(id(r), 0.0)) for r in sorted(records, key=lambda r: r[2])
    ]
    # a barrier: a group whose first task started only after every task of the groups started
    # before it had finished (a dependency the run showed, e.g. scores after fits)
    first_start = {g: min(r[2] for r in records if r[0] == g) for g in group_medians(records)}
    barriers = set()
    for group, start in first_start.items():
        earlier = [r[3] for r in records if first_start[r[0]] < start]
        if earlier and start >= max(earlier) - 1e-6:
            barriers.add(group)
    return {
        "tasks": tasks,
        "barriers": sorted(barriers),
        "overhead_per_task_s": (parts["overhead"] + parts["transfer"]) * threads / len(records),
        "warmup_s": sum(warm.values()) / len(warm),
        "before_s": parts["before"],
        "after_s": parts["after"],
    }


def simulate(model: dict, threads: int) -> dict:
    """Predicted wall time, busy share and what limits the run at ``threads`` threads."""
    free = [(model["warmup_s"], i) for i in range(threads)]  # each thread's first task pays it
    heapq.heapify(free)
    barriers, seen = set(model["barriers"]), set()
    ready_at = latest_end = longest = 0.0
    for group, seconds in model["tasks"]:
        if group in barriers and group not in seen:
            ready_at = latest_end  # waits for every task before it
        seen.add(group)
        start_free, thread = heapq.heappop(free)
        end = max(start_free, ready_at) + model["overhead_per_task_s"] + seconds
        latest_end, longest = max(latest_end, end), max(longest, seconds)
        heapq.heappush(free, (end, thread))
    busy = sum(seconds for _, seconds in model["tasks"])
    overhead = model["overhead_per_task_s"] * len(model["tasks"])
    limits = {
        "the longest task": longest,
        "per-task overhead": overhead / threads,
        "compute": busy / threads,
        "client time before and after": model["before_s"] + model["after_s"],
    }
    return {
        "threads": threads,
        "wall_s": model["before_s"] + latest_end + model["after_s"],
        "busy_share": busy / (latest_end * threads) if latest_end else 0.0,
        "limit": max(limits, key=limits.get),
    }


def validate(wall_from: float, threads_from: int, records: list[list], measured: dict) -> dict:
    """Predicts a measured run (``{"threads", "wall_s"}``) from another run's records; the
    relative error says how far to trust the model's predictions for bigger clusters."""
    predicted = simulate(inputs(wall_from, threads_from, records), measured["threads"])
    return {
        "from_threads": threads_from,
        "threads": measured["threads"],
        "predicted_s": predicted["wall_s"],
        "measured_s": measured["wall_s"],
        "error": predicted["wall_s"] / measured["wall_s"] - 1,
    }
