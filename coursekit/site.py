"""The course's website, built from a run: ``python -m coursekit site``.

The runner executes the notebooks (or an earlier run folder is given); this module copies the
executed notebooks and the repository's pages into a staging folder, prepares them, and runs
Sphinx (myst-nb renders the notebooks as they were executed, and runs nothing). Preparing a
notebook:

- a note at its top naming the run it shows (profile, parameters, machine, date), in place of
  papermill's injected parameters cell (which holds the run's file paths);
- solutions (cells tagged ``solution``), code and output, folded behind a dropdown (myst-nb's
  ``hide-cell``);
- progress-bar widgets replaced by a sentence (a widget's view needs the live kernel), and a
  text progress bar's pieces joined as a terminal shows them;
- links to a run's own dashboard (``http://127.0.0.1:…``) turned into plain text: the address
  only existed while that run did.

Other pages: the landing page with the series and its times, the instructors' page with a
workshop plan built from each notebook's stated time, the data page (``data/README.md``) and
the benchmark report (``benchmarks/REPORT.md`` and its plots). Links from those pages to files
of the repository point at the repository on GitHub.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import posixpath
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote

import nbformat

from . import NOTEBOOKS_DIR, REPO_ROOT
from .rules import stated_minutes
from .series import notebooks

SOURCE = REPO_ROOT / "site-src"
REPOSITORY = "https://github.com/distributed-ml-with-dask/course"
LOOPBACK_LINK = re.compile(
    r"<a\b[^>]*href=[\"']https?://(?:127\.0\.0\.1|localhost)[:/][^\"']*[\"'][^>]*>(.*?)</a>",
    re.IGNORECASE | re.DOTALL,
)
WIDGET = "application/vnd.jupyter.widget-view+json"
PROGRESS_NOTE = (
    "(A progress bar was displayed here; it fills as the cluster finishes tasks. "
    "Run the notebook to see it live.)"
)


class SiteError(RuntimeError):
    """The site cannot be built; the message says why and what to do."""


def title(nb) -> str:
    first = nb.cells[0].source.splitlines()[0]
    return first.lstrip("# ").strip()


def find_executed(run_dirs: list[Path]) -> dict[str, tuple[Path, dict]]:
    """{notebook file name: (its executed copy, the runner's summary of that folder)} for every
    copy papermill finished without an exception (it writes a failed run's copy too)."""
    series = {nb.name for nb in notebooks()}
    found = {}
    for run_dir in run_dirs:
        for summary_path in sorted(Path(run_dir).rglob("summary.json")):
            summary = json.loads(summary_path.read_text())
            for executed in sorted(summary_path.parent.glob("*.ipynb")):
                if executed.name not in series:
                    continue
                meta = nbformat.read(executed, as_version=4).metadata.get("papermill", {})
                if meta.get("end_time") and not meta.get("exception"):
                    found[executed.name] = (executed, summary)
    return found


def _run_note(executed: Path, summary: dict, overrides: list[str]) -> str:
    when = dt.datetime.fromtimestamp(executed.stat().st_mtime, dt.UTC).strftime("%Y-%m-%d")
    machine = f"{summary['cpu_count']} cores, {summary['memory_gb']} GB, {platform.machine()}"
    given = (
        "its parameters as the notebook sets them, except " + ", ".join(f"`{o}`" for o in overrides)
        if overrides
        else "the notebook's own parameters"
    )
    return (
        f"```{{note}}\nThis page shows a run of the notebook with the `{summary['profile']}` "
        f"profile ({given}) on {machine}, on {when}: every number, table and plot below is that "
        "run's. The rocket button at the top opens the notebook on Binder, to run it yourself.\n```"
    )


def _overrides(cell) -> list[str]:
    """The assignments papermill injected, less the run's own file paths."""
    return [
        line.strip()
        for line in cell.source.splitlines()
        if "=" in line
        and not line.lstrip().startswith("#")
        and not line.split("=")[0].strip().endswith("_path")
    ]


BUTTON = re.compile(r"<button\b.*?</button>", re.IGNORECASE | re.DOTALL)


def _as_terminal_shows(text: str) -> str:
    """A progress bar's text as a terminal leaves it: each line keeps what follows its last
    carriage return (tqdm redraws a line with ``\\r``)."""
    return "\n".join(line.rstrip("\r").rsplit("\r", 1)[-1] for line in text.split("\n"))


def _merge_streams(outputs: list) -> list:
    """Consecutive stream outputs of one name as one (a redrawn progress bar arrives in many
    pieces, which a page would show as as many boxes), shown as a terminal leaves them."""
    merged: list = []
    for output in outputs:
        if (
            output.get("output_type") == "stream"
            and merged
            and merged[-1].get("output_type") == "stream"
            and merged[-1]["name"] == output["name"]
        ):
            merged[-1]["text"] += output["text"]
        else:
            merged.append(output)
    for output in merged:
        if output.get("output_type") == "stream":
            output["text"] = _as_terminal_shows(output["text"])
    return [o for o in merged if o.get("output_type") != "stream" or o["text"].strip()]


def prepare(executed: Path, summary: dict):
    """The executed notebook, made ready to read as a page (see the module's docstring)."""
    nb = nbformat.read(executed, as_version=4)
    nb.metadata.pop("widgets", None)
    # papermill's injected cell holds this run's file paths: its values go in the note instead
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    overrides = [o for c in injected for o in _overrides(c)]
    nb.cells = [c for c in nb.cells if c not in injected]
    first = nb.cells[0]
    first.source = first.source.rstrip() + "\n\n" + _run_note(executed, summary, overrides)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _site_links(
                cell.source, NOTEBOOKS_DIR / executed.name, f"notebooks/{executed.name}"
            )
        tags = cell.metadata.setdefault("tags", [])
        if "solution" in tags and "hide-cell" not in tags:
            tags.append("hide-cell")  # code and output folded: the output would give the answer
        if cell.cell_type != "code":
            continue
        cell.outputs = _merge_streams(cell.get("outputs", []))
        for output in cell.outputs:
            data = output.get("data", {})
            if WIDGET in data:
                data.clear()
                data["text/plain"] = PROGRESS_NOTE
            if "text/markdown" in data:  # a cell's Markdown(...) display
                data["text/markdown"] = _site_links(
                    "".join(data["text/markdown"]),
                    NOTEBOOKS_DIR / executed.name,
                    f"notebooks/{executed.name}",
                    html=True,
                )
            if "text/html" in data:
                html = data["text/html"]
                html = "".join(html) if isinstance(html, list) else html
                # the run's dashboard is gone: no link to it, no button that would open it
                data["text/html"] = BUTTON.sub("", LOOPBACK_LINK.sub(r"<span>\1</span>", html))
    return nb


#: repository files the site holds as pages, by their path in the repository
SITE_PAGES = {"benchmarks/REPORT.md": "benchmarks.md", "data/README.md": "data.md"}


def _site_links(text: str, page_in_repo: Path, page_in_site: str, html: bool = False) -> str:
    """Markdown links of a repository page (``page_in_repo``), staged at ``page_in_site``: to a
    file the site holds as a page, they point at that page; to any other file of the
    repository, at the repository on GitHub; web links and anchors stay."""
    site_dir = posixpath.dirname(page_in_site)

    def fix(match):
        label, target = match.group(1), match.group(2)
        if re.match(r"^[a-z]+:|^#", target):
            return match.group(0)
        path_part, _, anchor = target.partition("#")
        path = (page_in_repo.parent / unquote(path_part)).resolve().relative_to(REPO_ROOT)
        key = path.as_posix()
        if key.startswith("notebooks/") and key.endswith(".ipynb"):
            staged = key
        elif key.startswith("benchmarks/plots/") and page_in_repo.name == "REPORT.md":
            staged = key.removeprefix("benchmarks/")  # the report's plots are copied beside it
        else:
            staged = SITE_PAGES.get(key)
        if staged is None:
            kind = "tree" if (REPO_ROOT / path).is_dir() else "blob"
            return f"[{label}]({REPOSITORY}/{kind}/main/{key})"
        new = posixpath.relpath(staged, site_dir or ".")
        if html and new.endswith((".md", ".ipynb")):
            new = new.rsplit(".", 1)[0] + ".html"
        return f"[{label}]({new}{'#' + anchor if anchor else ''})"

    return re.sub(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)", fix, text)


def _minutes(minutes: int) -> str:
    """A time for the series' tables: "30\u00a0min", with a no-break space that a narrow column
    never wraps."""
    return f"{minutes}\u00a0min"


def stage(run_dirs: list[Path], staging: Path) -> None:
    """Writes the Sphinx source (the prepared notebooks and every page) into ``staging``."""
    executed = find_executed(run_dirs)
    series = notebooks()
    missing = [nb.name for nb in series if nb.name not in executed]
    if missing:
        raise SiteError(
            f"no successful run of {', '.join(missing)} in {', '.join(map(str, run_dirs))}: "
            "run the series first (python -m coursekit run --profile ci --output DIR)"
        )
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(SOURCE, staging)
    (staging / "notebooks").mkdir()
    rows, toctree, plan = [], [], []
    start = total = 0
    for i, nb_path in enumerate(series):
        nb = prepare(*executed[nb_path.name])
        nbformat.write(nb, staging / "notebooks" / nb_path.name)
        try:
            minutes = stated_minutes(nb)
        except ValueError as err:
            raise SiteError(f"{nb_path.name}: {err}") from err
        rows.append(
            f"| {nb_path.name[:2]} | [{title(nb)}](notebooks/{nb_path.name}) | {_minutes(minutes)} |"
        )
        toctree.append(f"notebooks/{nb_path.stem}")
        plan.append(f"| {start // 60}:{start % 60:02d} | {title(nb)} | {_minutes(minutes)} |")
        start += minutes
        total += minutes
        if i % 2 == 1 and i < len(series) - 1:  # a break after every two notebooks
            plan.append(f"| {start // 60}:{start % 60:02d} | break | {_minutes(10)} |")
            start += 10
    if start > 180:
        raise SiteError(
            f"the notebooks' stated times and breaks add up to {start} minutes: over 3 hours"
        )
    plan.append(
        f"| {start // 60}:{start % 60:02d} | questions, wrap-up | {_minutes(180 - start)} |"
    )
    index = (staging / "index.md").read_text()
    index = index.replace(
        "<!-- series -->",
        "| # | notebook | time |\n|---|---|---:|\n" + "\n".join(rows),
    ).replace("<!-- toctree -->", "\n".join(toctree))
    (staging / "index.md").write_text(index)
    instructors = (
        (staging / "instructors.md")
        .read_text()
        .replace(
            "<!-- timing -->",
            f"The {len(series)} notebooks' core paths add up to {total} minutes.\n\n"
            "| starts at | part | time |\n|---|---|---:|\n" + "\n".join(plan),
        )
    )
    (staging / "instructors.md").write_text(instructors)
    data = REPO_ROOT / "data" / "README.md"
    (staging / "data.md").write_text(_site_links(data.read_text(), data, "data.md"))
    report = REPO_ROOT / "benchmarks" / "REPORT.md"
    text = _site_links(report.read_text(), report, "benchmarks.md")
    heading, _, rest = text.partition("\n")
    (staging / "benchmarks.md").write_text(
        f"{heading}\n\n```{{note}}\nHow the course's workloads scale with Dask workers, measured by "
        "`python -m benchmarks` on the machines named below. A *target* is the project's own goal "
        "for a workload (for instance, a Dask path no slower than scikit-learn's own processes); "
        "each missed target says by how much and why, from the measured task times.\n```\n" + rest
    )
    shutil.copytree(REPO_ROOT / "benchmarks" / "plots", staging / "plots")


def build(run_dirs: list[Path], out: Path, staging: Path | None = None) -> Path:
    """Stages the pages and runs Sphinx into ``out``; returns ``out / "index.html"``."""
    staging = staging or out.parent / f".{out.name}-src"
    start = time.perf_counter()
    stage(run_dirs, staging)
    html = staging / "_build" / "html"  # myst-nb writes beside it (jupyter_execute/): keep it here
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-b",
            "html",
            "-q",
            "-W",
            "--keep-going",
            "-d",
            str(staging / "_doctrees"),
            str(staging),
            str(html),
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SiteError(f"Sphinx failed:\n{done.stdout[-4000:]}{done.stderr[-4000:]}")
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(html, out)
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(
        f"site: {out / 'index.html'} ({size / 2**20:.1f} MB) built in "
        f"{time.perf_counter() - start:.0f} s"
    )
    return out / "index.html"
