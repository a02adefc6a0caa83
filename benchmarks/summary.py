"""One table for every workload, the targets, and the report built from result files.

Each workload module gives ``title(results)``, ``measurements(results)`` (rows with the keys
below), ``targets(results)`` and ``notes(results)``; this module computes the rest, so that
every figure in a report comes from a result file.

A measurement: ``item`` (a step or method), ``workers``, ``threads``, ``seconds``, ``work``
and ``unit`` (what a second of throughput counts), ``single_s`` (the single-machine
alternative's time for the same work, or None) and optionally ``busy_s`` (the tasks' summed
compute time on the cluster).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

WORKLOADS = {
    "eda": "benchmarks.eda",
    "grid": "benchmarks.grid",
    "reviews": "benchmarks.reviews",
    "tpot": "benchmarks.tpot_search",
}


def module(workload: str):
    return importlib.import_module(WORKLOADS[workload])


def workload_of(results: dict) -> str:
    """The workload a result dictionary holds (files written before the key existed have none)."""
    if "workload" in results:
        return results["workload"]
    return "grid" if "grid" in results else "eda"


def workloads_in(document: dict) -> dict[str, dict]:
    """{workload: results} of a result file: one workload's results, or ``all``'s several."""
    if "workloads" in document:
        return document["workloads"]
    return {workload_of(document): document}


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
        f"at {threads} workers the tasks computed for {run['busy_s']:.1f} s of the "
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


def _cell(value, fmt):
    return "–" if value is None else format(value, fmt)


COLUMNS = [
    ("item", "item", "s"),
    ("workers", "workers", "d"),
    ("threads", "threads", "d"),
    ("seconds", "wall s", ".2f"),
    ("throughput", "per s", ",.0f"),
    ("speedup", "speedup", ".2f"),
    ("efficiency", "efficiency", ".2f"),
    ("vs_single", "x single machine", ".2f"),
    ("utilization", "busy", ".0%"),
]


def table_rows(results: dict) -> list[list[str]]:
    rows = scaled(module(workload_of(results)).measurements(results))
    return [
        [_rate(r) if key == "throughput" else _cell(r.get(key), fmt) for key, _, fmt in COLUMNS]
        for r in rows
    ]


def _rate(row: dict) -> str:
    rate = row["throughput"]
    return f"{rate:,.0f} {row['unit']}" if rate >= 100 else f"{rate:.3g} {row['unit']}"


def verdict(target: dict) -> str:
    """'met' or 'missed by ...' for a target {name, measured, limit, better: 'lower'|'higher'}."""
    measured, limit = target["measured"], target["limit"]
    ok = measured <= limit if target["better"] == "lower" else measured >= limit
    if ok:
        return "met"
    return f"missed by {abs(measured - limit):.3f} ({abs(measured / limit - 1):.1%})"


def text(results: dict) -> str:
    """The console report of one workload's results."""
    workload = module(workload_of(results))
    header = [title for _, title, _ in COLUMNS]
    body = table_rows(results)
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]

    def line(cells):
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    lines = [workload.title(results), line(header), *map(line, body)]
    lines += [f"- {note}" for note in workload.notes(results)]
    for target in workload.targets(results):
        lines.append(
            f"target: {target['name']}: {target['measured']:.2f} (limit {target['limit']:.2f}) "
            f"-> {verdict(target)}"
            + (f"; why: {target['why']}" if target.get("why") and verdict(target) != "met" else "")
        )
    return "\n".join(lines)


def machine_label(machine: dict) -> str:
    label = f"{machine['cpu_count']} cores, {machine['memory_gb']} GB, {machine['machine']}"
    label += f", Python {machine['python']}, dask {machine['dask']}"
    return f"{machine['label']} ({label})" if machine.get("label") else label


def markdown(path: Path, document: dict, plots: dict[str, str]) -> str:
    """The report's section for one result file: per workload, the table, notes, targets, plot."""
    out = []
    for workload_name, results in workloads_in(document).items():
        workload = module(workload_name)
        out += [
            f"### {workload.title(results)}",
            "",
            f"Machine: {machine_label(document['machine'])}. Result file: `{path.as_posix()}`"
            + (f"; command: `{document['command']}`" if document.get("command") else "")
            + ".",
            "",
        ]
        if document.get("partial"):
            out += [f"**Partial**: {document['partial']}.", ""]
        out += [
            "| " + " | ".join(title for _, title, _ in COLUMNS) + " |",
            "|" + "|".join("---" if i == 0 else "---:" for i in range(len(COLUMNS))) + "|",
        ]
        out += ["| " + " | ".join(row) + " |" for row in table_rows(results)]
        out.append("")
        out += [f"- {note}" for note in workload.notes(results)]
        for target in workload.targets(results):
            state = verdict(target)
            out.append(
                f"- **Target** {target['name']}: measured {target['measured']:.2f}, limit "
                f"{target['limit']:.2f} — **{state}**"
                + (f". Why: {target['why']}" if target.get("why") and state != "met" else "")
            )
        if workload_name in plots:
            out += ["", f"![speedup against workers, {workload_name}]({plots[workload_name]})"]
        out.append("")
    return "\n".join(out)


def load(path) -> dict:
    return json.loads(Path(path).read_text())
