"""Speedup against workers, with the ideal line, from a result file: one PNG per workload."""

from __future__ import annotations

from pathlib import Path

from benchmarks.metrics import BREAKDOWN, run_breakdowns, scaled, scaling_items
from benchmarks.registry import WORKLOADS, load, workloads_in
from benchmarks.render import machine_label


def plot_file(path, out_dir) -> list[Path]:
    """Writes ``<file stem>-<workload>.png`` for each workload measured at two or more worker
    counts; returns the paths written."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    document = load(path)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for workload, results in workloads_in(document).items():
        items = scaling_items(scaled(WORKLOADS[workload].measurements(results)))
        if not items:
            continue
        fig, ax = plt.subplots(figsize=(7, 4.5))
        top = max(r["threads"] for runs in items.values() for r in runs)
        low = min(r["threads"] for runs in items.values() for r in runs)
        ax.plot([low, top], [1, top / low], "k--", label="ideal (speedup = workers)")
        for item, runs in items.items():
            ax.plot([r["threads"] for r in runs], [r["speedup"] for r in runs], "o-", label=item)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log", base=2)
        ax.yaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        ticks = sorted({r["threads"] for runs in items.values() for r in runs})
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.set_xlabel("worker threads")
        ax.set_ylabel(f"speedup vs {low} thread(s)")
        ax.set_title(f"{workload}: {machine_label(document['machine'])}"[:90], fontsize=9)
        ax.legend(fontsize=7, loc="upper left")
        ax.grid(True, which="both", alpha=0.3)
        fig.tight_layout()
        png = out_dir / f"{Path(path).stem}-{workload}.png"
        fig.savefig(png, dpi=80, metadata={"Software": None})
        plt.close(fig)
        written.append(png)
        written += _time_plot(path, out_dir, workload, results, document)
    return written


def _time_plot(path, out_dir, workload, results, document) -> list[Path]:
    """Where the time went: one stacked bar per run that recorded its tasks."""
    import matplotlib.pyplot as plt

    rows = [(f"{label}, {r['workers']}w", parts) for label, r, parts in run_breakdowns(results)]
    if not rows:
        return []
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(rows) + 2.6))
    labels = [label for label, _ in rows]
    left = [0.0] * len(rows)
    for part, name in BREAKDOWN.items():
        widths = [parts[part] for _, parts in rows]
        ax.barh(labels, widths, left=left, label=name)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel("wall time (s)")
    ax.set_title(
        f"{workload}: where the time went, {machine_label(document['machine'])}"[:95], fontsize=9
    )
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2)
    fig.tight_layout()
    png = Path(out_dir) / f"{Path(path).stem}-{workload}-time.png"
    fig.savefig(png, dpi=80, metadata={"Software": None}, bbox_inches="tight")  # the whole legend
    plt.close(fig)
    return [png]
