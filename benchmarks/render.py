"""Rendering: one workload's results as a console table, and as the report's Markdown."""

from __future__ import annotations

from pathlib import Path

from benchmarks.metrics import scaled, verdict
from benchmarks.registry import WORKLOADS, workload_of, workloads_in


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


def table(results: dict) -> tuple[list[str], list[list[str]]]:
    """The header and rows of one workload's table. Where every row counts the same unit, the
    unit goes into the throughput column's title ("rows per s") and the cells hold numbers only,
    which keeps the table narrow enough for a page."""
    rows = scaled(WORKLOADS[workload_of(results)].measurements(results))
    units = {r["unit"] for r in rows}
    one_unit = units.pop() if len(units) == 1 else None
    header = [
        f"{one_unit} per s" if key == "throughput" and one_unit else title
        for key, title, _ in COLUMNS
    ]
    body = [
        [
            _rate(r, with_unit=not one_unit) if key == "throughput" else _cell(r.get(key), fmt)
            for key, _, fmt in COLUMNS
        ]
        for r in rows
    ]
    return header, body


def _rate(row: dict, with_unit: bool) -> str:
    rate = row["throughput"]
    number = f"{rate:,.0f}" if rate >= 100 else f"{rate:.3g}"
    return f"{number} {row['unit']}" if with_unit else number


def text(results: dict) -> str:
    """The console report of one workload's results."""
    workload = WORKLOADS[workload_of(results)]
    header, body = table(results)
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
        workload = WORKLOADS[workload_name]
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
        header, body = table(results)
        out += [
            "| " + " | ".join(header) + " |",
            "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|",
        ]
        out += ["| " + " | ".join(row) + " |" for row in body]
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
        if f"{workload_name}-time" in plots:
            out += [
                "",
                f"![where the time went, {workload_name}]({plots[f'{workload_name}-time']})",
            ]
        out.append("")
    return "\n".join(out)
