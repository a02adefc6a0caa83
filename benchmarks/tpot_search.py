"""Notebook 05's TPOT search: pipeline evaluations per minute on 1..N Dask workers.

Every worker count runs the same search (same seed, search space, generations and population,
so the same pipelines are evaluated); the report gives wall time, evaluations per minute,
speedup against the smallest worker count and the parallel efficiency.
"""

from __future__ import annotations

import time
import warnings

import dask
from sklearn.datasets import load_digits

from benchmarks import harness, model
from benchmarks.metrics import breakdown_notes, run_breakdowns, scaling_why
from benchmarks.notebook_code import load as load_notebook_code
from coursekit.tpot_support import client_for_tpot

with warnings.catch_warnings():  # stopit (TPOT's) imports pkg_resources, which warns
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    import tpot

    # notebook 05's own "light" search space: scaler -> selector -> one of six fast classifiers,
    # and its filter for that warning on the workers
    _notebook = load_notebook_code("05", ["light_space", "quiet_pkg_resources"])
    light_space = _notebook.light_space
    quiet_pkg_resources = _notebook.quiet_pkg_resources

NAME = "tpot"
HELP = "notebook 05's TPOT search: evaluations per minute on 1..N workers"
SINGLE_MACHINE = "TPOT's own `n_jobs`"
SIZES = {
    "quick": dict(generations=2, population_size=4, cv=2, memory_limit="1GiB"),
    # a search a user would run: a population that fills every round on 1 to 32 workers, and
    # enough generations that the barrier between them is not the whole story
    "full": dict(generations=5, population_size=32),
}


def add_arguments(parser) -> None:
    parser.add_argument("--generations", type=int, default=5)
    parser.add_argument("--population-size", type=int, default=16)
    parser.add_argument("--cv", type=int, default=3)
    parser.add_argument("--threads-per-worker", type=int, default=1)
    parser.add_argument("--memory-limit", default="2GiB")


def run(
    workers: list[int],
    *,
    generations: int,
    population_size: int,
    cv: int,
    threads_per_worker: int,
    memory_limit: str,
    scheduler_address: str | None = None,
    single_machine: bool = True,
    checkpoint=None,
) -> dict:
    """``checkpoint(results)`` gets the results so far after every worker count."""
    say, task_time = harness.say, harness.task_time
    warnings.filterwarnings(
        "ignore", module="sklearn"
    )  # INVALID pipelines warn; they are counted below
    X, y = load_digits(return_X_y=True)
    settings = dict(
        scorers=["accuracy"],
        cv=cv,
        generations=generations,
        population_size=population_size,
        max_time_mins=None,
        max_eval_time_mins=5,
        random_state=0,
        verbose=0,
    )
    saved = {
        k: dask.config.get(k)
        for k in ["distributed.scheduler.worker-ttl", "distributed.scheduler.allowed-failures"]
    }

    def measure(n, client=None, n_jobs=1):
        search = tpot.TPOTClassifier(
            search_space=light_space(len(y), X.shape[1], 0),
            client=client,
            n_jobs=n_jobs,
            memory_limit=memory_limit,
            **settings,
        )
        start = time.perf_counter()
        if client is None:
            search.fit(X, y)
            stats = {}
        else:
            with task_time(client, records=True) as stats:
                search.fit(X, y)
        wall = time.perf_counter() - start
        dask.config.set(saved)  # TPOT changes these in this process
        evaluated = search.evaluated_individuals
        if "records" in stats:
            by_generation(stats["records"], evaluated, stats.began)
        return {
            "workers": n,
            "wall_s": wall,
            "evaluations": int(len(evaluated)),
            "scored": int(evaluated["accuracy_score"].notna().sum()),
            "evaluations_per_min": len(evaluated) / wall * 60,
            **stats,
            "best_cv": float(evaluated["accuracy_score"].max()),
            "best_pipeline": str(search.fitted_pipeline_),
        }

    rows = []

    def so_far() -> dict:
        return {
            "workload": "tpot",
            "workers": [r["workers"] for r in rows],
            "generations": generations,
            "population_size": population_size,
            "cv": cv,
            "threads_per_worker": threads_per_worker,
            "rows": rows,
        }

    for n in harness.progress(workers, "tpot: worker counts"):
        with harness.cluster_client(n, threads_per_worker, memory_limit, scheduler_address) as (
            client,
            n,
            threads,
        ):
            client.run(quiet_pkg_resources)  # as notebook 05 does: the warning is not ours
            rows.append(measure(n, client_for_tpot(client)))
        say(
            f"  {n:>2} workers: {rows[-1]['wall_s']:6.1f} s, {rows[-1]['evaluations']} evaluations "
            f"({rows[-1]['scored']} scored), {rows[-1]['evaluations_per_min']:.0f}/min"
        )
        if checkpoint:
            checkpoint(so_far())
    results = so_far()
    if single_machine:
        # the single-machine alternative: TPOT's own way, n_jobs processes and no client (TPOT then
        # starts a LocalCluster of its own inside fit, and that start is part of what a user waits for)
        n_jobs = max(r["workers"] for r in rows) * threads_per_worker
        results["single_machine"] = {**measure(n_jobs, None, n_jobs), "n_jobs": n_jobs}
        say(f"  TPOT n_jobs={n_jobs}, no client: {results['single_machine']['wall_s']:6.1f} s")
    return results


def by_generation(records: list[list], evaluated, began: float) -> None:
    """Names each task record's group after the TPOT generation it evaluated (from TPOT's own
    submission times), so that the breakdown and the model see each generation as a stage that
    waits for the one before it."""
    submitted = (
        evaluated.dropna(subset=["Generation", "Submitted Timestamp"])
        .groupby("Generation")["Submitted Timestamp"]
        .min()
        .sort_values()
    )
    for r in records:
        earlier = submitted[submitted <= began + r[2]]
        if len(earlier):
            r[0] = f"generation {int(earlier.index[-1])}"


def title(results: dict) -> str:
    return (
        f"tpot: {results['generations']} generations x {results['population_size']} pipelines (cv {results['cv']}) "
        "on digits, notebook 05's light search space; evaluations per second"
    )


def measurements(results: dict) -> list[dict]:
    single = results.get("single_machine")
    return [
        {
            "item": "TPOT search",
            "workers": r["workers"],
            "threads": r["workers"] * results["threads_per_worker"],
            "seconds": r["wall_s"],
            "work": r["evaluations"],
            "unit": "evaluations",
            "busy_s": r.get("busy_s"),
            "single_s": single["wall_s"]
            if single and single["n_jobs"] == r["workers"] * results["threads_per_worker"]
            else None,
        }
        for r in results["rows"]
    ]


def notes(results: dict) -> list[str]:
    rows = results["rows"]
    out = [
        f"same best pipeline at every worker count: {len({r['best_pipeline'] for r in rows}) == 1} "
        f"(best CV accuracy {max(r['best_cv'] for r in rows):.4f})",
        "evaluations per minute: "
        + ", ".join(
            f"{r['workers']} worker{'s' if r['workers'] > 1 else ''} {r['evaluations_per_min']:.0f}"
            for r in rows
        ),
    ]
    single = results.get("single_machine")
    if single:
        out.append(
            f"single machine (TPOT n_jobs={single['n_jobs']}, no client; includes TPOT starting its own "
            f"LocalCluster): {single['wall_s']:.1f} s, {single['evaluations_per_min']:.0f} evaluations/min"
        )
    out += breakdown_notes(results)
    for _, r, parts in run_breakdowns(results):
        out.append(
            f"the generation barrier at {r['workers']} worker{'s' if r['workers'] > 1 else ''}: "
            f"{(parts['barrier'] + parts['tail']) / r['wall_s']:.0%} "
            "of the workers' time idle while each generation's slowest evaluations ran (the last "
            "generation's wait is the breakdown's tail), "
            f"{parts['between'] / r['wall_s']:.0%} waiting for the client to breed the next generation"
        )
    for _, r, parts in run_breakdowns(results)[-1:]:
        out.append(
            f"between evaluations at {r['workers']} workers: "
            f"{parts['overhead'] * r['workers'] / len(r['records']) * 1000:.0f} ms each — TPOT keeps only "
            "as many evaluations submitted as the cluster has workers, so each next one waits for the "
            "client to see the last one finish and send it"
        )
    out += model.notes({r["workers"]: r for r in rows}, "the search")
    out += population_notes(results)
    return out


def population_notes(results: dict, sizes=(16, 64), busy_target: float = 0.7) -> list[str]:
    """What population a cluster of N workers needs: the model (benchmarks.model) of the biggest
    run, resized to populations of 1, 2, 4 and 8 times N for the same number of generations."""
    runs = [r for r in results["rows"] if r.get("records")]
    if not runs:
        return []
    top = max(runs, key=lambda r: r["workers"])
    fitted = model.inputs(top["wall_s"], top["workers"], top["records"])
    generations = len(fitted["barriers"]) + 1
    out = []
    for n in sizes:
        options = []
        for k in (1, 2, 4, 8):
            p = model.simulate(model.resized(fitted, k * n, generations), n)
            options.append((k * n, k * n * generations / p["wall_s"] * 60, p))
        good = [population for population, _, p in options if p["busy_share"] >= busy_target]
        out.append(
            f"model, {n} workers, {generations} generations: "
            + "; ".join(
                f"population {population} {per_min:,.0f} evaluations/min, busy {p['busy_share']:.0%}, "
                f"barrier {p['barrier_share']:.0%}"
                for population, per_min, p in options
            )
            + " — "
            + (
                f"a population of at least {good[0]} ({good[0] // n}x the workers) keeps them "
                f"{busy_target:.0%} busy"
                if good
                else f"no population up to {8 * n} keeps them {busy_target:.0%} busy"
            )
        )
    return out


def targets(results: dict) -> list[dict]:
    rows = sorted(results["rows"], key=lambda r: r["workers"])
    if len(rows) < 2:
        return []
    first, last = rows[0], rows[-1]
    speedup = first["wall_s"] / last["wall_s"]
    why = (
        scaling_why(first, last, "evaluation")
        + f"; each of the {results['generations']} generations waits for "
        f"its slowest evaluation before the next is bred, and {results['population_size']} pipelines per "
        f"generation make {-(-results['population_size'] // last['workers'])} round(s) on {last['workers']} workers"
    )
    return [
        {
            "name": f"evaluations/min parallel efficiency {first['workers']} -> {last['workers']} workers "
            "(the project's target is set for 16 workers)",
            "measured": speedup / (last["workers"] / first["workers"]),
            "limit": 0.7,
            "better": "higher",
            "why": why,
        }
    ]
