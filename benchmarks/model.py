"""A small scheduling model: what a recorded run would take on N workers.

A discrete-event simulation over a run's own task records (``benchmarks.harness.task_time(
records=True)``), not a guess. Its inputs, all measured in that run:

- each task's compute time, in the order the run started them (its group kept: a group that
  depends on another — a search's scores on its fits — starts only when that one has finished,
  a barrier, as a TPOT generation waits for its slowest evaluation);
- the per-task overhead: the run's thread-seconds between tasks divided by its task count;
- each worker's warm-up: the first task's time beyond its group's median, paid once per worker;
- the client's time between stages (a generation bred, the next computation built), per barrier;
- the fixed client time before the first task and after the last one.

Simulated: tasks go, in order, to whichever thread is free first (Dask's scheduler does about
that for independent tasks); a group waits for the groups listed as its barriers. Transfers are
in the per-task overhead. What it leaves out: slower tasks when many run at once on one
machine (memory bandwidth, clock boost), and a scheduler that itself becomes the bottleneck at
thousands of tasks per second; the validation error shows how much that matters.
"""

from __future__ import annotations

import heapq

from benchmarks.metrics import breakdown, stages, warmups


def inputs(wall_s: float, threads: int, records: list[list]) -> dict:
    """The model's inputs, measured from one run."""
    parts = breakdown(wall_s, threads, records)
    warm = warmups(records)  # modelled on their own, once per thread
    tasks = [
        (r[0], r[3] - r[2] - warm.get(id(r), 0.0)) for r in sorted(records, key=lambda r: r[2])
    ]
    # a barrier: the first group of each stage after the first (benchmarks.metrics.stages)
    barriers = sorted({stage[0][0] for stage in stages(records)[1:]})
    return {
        "tasks": tasks,
        "barriers": barriers,
        "overhead_per_task_s": (parts["overhead"] + parts["transfer"]) * threads / len(records),
        # the client's time between stages (TPOT breeding the next generation), per barrier
        "stage_gap_s": parts["between"] / len(barriers) if barriers else 0.0,
        "warmup_s": sum(warm.values()) / len(warm),
        "before_s": parts["before"],
        "after_s": parts["after"],
    }


def simulate(model: dict, threads: int) -> dict:
    """Predicted wall time, busy share and what limits the run at ``threads`` threads."""
    free = [(model["warmup_s"], i) for i in range(threads)]  # each thread's first task pays it
    heapq.heapify(free)
    barriers, seen = set(model["barriers"]), set()
    ready_at = latest_end = waited = 0.0
    slowest = [0.0]  # the slowest task of each stage: together, the shortest possible run
    for group, seconds in model["tasks"]:
        if group in barriers and group not in seen:
            slowest.append(0.0)
            # waits for every task before it; the threads that finished early idle until then
            # (from the stage's start at the latest: a thread idle in earlier stages too was
            # counted there)
            waited += sum(max(0.0, latest_end - max(end, ready_at)) for end, _ in free)
            ready_at = latest_end + model["stage_gap_s"]
        seen.add(group)
        start_free, thread = heapq.heappop(free)
        end = max(start_free, ready_at) + model["overhead_per_task_s"] + seconds
        latest_end, slowest[-1] = max(latest_end, end), max(slowest[-1], seconds)
        heapq.heappush(free, (end, thread))
    busy = sum(seconds for _, seconds in model["tasks"])
    overhead = model["overhead_per_task_s"] * len(model["tasks"])
    limits = {
        ("the longest task" if len(slowest) == 1 else "the slowest task of each stage"): sum(
            slowest
        ),
        "per-task overhead": overhead / threads,
        "compute": busy / threads,
        "waiting at barriers for a stage's slowest task": waited / threads,
        "client time before and after": model["before_s"] + model["after_s"],
    }
    return {
        "threads": threads,
        "wall_s": model["before_s"] + latest_end + model["after_s"],
        "busy_share": busy / (latest_end * threads) if latest_end else 0.0,
        "barrier_share": waited / (latest_end * threads) if latest_end else 0.0,
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


def resized(model: dict, per_stage: int, n_stages: int) -> dict:
    """The same model with ``n_stages`` stages of ``per_stage`` tasks each (a TPOT search with
    another population and generation count), their durations taken in turn from the recorded
    tasks in the order they ran: the run's own spread of durations, slowest ones included."""
    durations = [seconds for _, seconds in model["tasks"]]
    tasks = [
        (f"stage {i}", durations[(i * per_stage + j) % len(durations)])
        for i in range(n_stages)
        for j in range(per_stage)
    ]
    return {**model, "tasks": tasks, "barriers": [f"stage {i}" for i in range(1, n_stages)]}


def _compute(records: list[list]) -> float:
    return sum(r[3] - r[2] for r in records)


def notes(runs: dict[int, dict], label: str, sizes=(16, 64)) -> list[str]:
    """The report's lines for one method's runs (``{workers: run}``, runs with ``wall_s`` and
    ``records``, one thread per worker): each worker count predicted from the one below it, with
    the error, then the biggest run asked about ``sizes`` workers and what would limit them."""
    runs = {n: r for n, r in runs.items() if r.get("records")}
    if not runs:
        return []
    out = []
    counts = sorted(runs)
    for small, big in zip(counts, counts[1:], strict=False):
        v = validate(
            runs[small]["wall_s"],
            small,
            runs[small]["records"],
            {"threads": big, "wall_s": runs[big]["wall_s"]},
        )
        growth = _compute(runs[big]["records"]) / _compute(runs[small]["records"])
        out.append(
            f"model check: {label} at {big} workers predicted from the {small}-worker run's "
            f"tasks {v['predicted_s']:.2f} s, measured {v['measured_s']:.2f} s (error {v['error']:+.0%}"
            + (
                f"; the same tasks computed {growth:.2f}x as long in all at {big} workers, which the "
                f"model, keeping the {small}-worker durations, does not foresee"
                if growth > 1.05
                else ""
            )
            + ")"
        )
    top = counts[-1]
    fitted = inputs(runs[top]["wall_s"], top, runs[top]["records"])
    predictions = [simulate(fitted, n) for n in sizes]
    out.append(
        f"model of {label}, from the {top}-worker run ({fitted['overhead_per_task_s'] * 1000:.1f} ms "
        f"overhead per task, {fitted['warmup_s']:.2f} s warm-up per worker"
        + (
            f", {len(fitted['barriers'])} barrier{'s' if len(fitted['barriers']) > 1 else ''}, "
            f"{fitted['stage_gap_s']:.2f} s of client time at each"
            if fitted["barriers"]
            else ""
        )
        + "): "
        + "; ".join(
            f"{p['threads']} workers {p['wall_s']:.2f} s, efficiency "
            f"{runs[top]['wall_s'] * top / (p['wall_s'] * p['threads']):.2f} vs {top}, "
            f"limited by {p['limit']}"
            for p in predictions
        )
    )
    return out
