"""The rule for what a committed notebook holds, its check, and the command that applies it.

The rule: notebooks are committed **without outputs and execution counts**, except the cells
tagged ``nbval-check-output``, which keep their printed output (never a count: a learner opening
the notebook must not see ``[5]:`` before anything ran). Those print deterministic facts of the
shipped data and of the default (Binder) profile; their stored output is the reference that nbval
compares a fresh run against (cell metadata ``keep_output: true``, which nbstripout honours;
``tests/conftest.py`` gives nbval the count it needs to treat them as run).

Prose follows the run: a markdown cell must not state a measured-looking figure (a ratio such
as ``1.37×``, a time such as ``0.42 s``, a score such as ``0.87``). Such a sentence is printed by a
cell from the run's values, or worded as what to look for. ``FIGURES_ALLOWED`` lists the few
figures that are not measurements (parameter defaults, facts of the shipped data nbval checks).

``problems(path)`` lists every way a notebook breaks the rule or the course skeleton;
``refresh(path)`` executes a notebook with its defaults and stores exactly the outputs the
rule allows. ``python -m coursekit notebooks --check`` / ``--refresh NB`` run them.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

CHECK_TAG = "nbval-check-output"
#: Headings every notebook has, in this order (the course skeleton, see CONTRIBUTING.md).
SKELETON = [
    "## Overview",
    "## Parameters",
    "## Exercise",
    "## Summary",
    "## What's next",
    "## Resources",
]
#: Exercises a notebook has at least (one mid-way, one at the end), each with a hidden solution
#: cell (tag ``solution``, ``jupyter.source_hidden``) followed by a cell calling ``check(``
#: (``coursekit.exercises``) that tests the learner's answer, or the solution, against a value
#: computed another way.
MIN_EXERCISES = 2
SOLUTION_TAG = "solution"


#: What looks like a measured figure in prose: a ratio (1.37×, 2x), a time (0.42 s, 16 ms), a
#: score or fraction (0.87), a percentage with decimals (32.5 %).
MEASURED_FIGURE = re.compile(
    r"(?<![\w.×])\d+(?:\.\d+)?\s?(?:×|x\b)(?!\s?\d)"  # ratios (not sizes such as 8×8)
    r"|(?<![\w.])\d+(?:\.\d+)?\s?(?:s|ms|µs|seconds)\b(?!-)"  # times (a lesson's minutes are a plan)
    r"|(?<![\w.$])0\.\d{2,}\b"  # scores and fractions
    r"|(?<![\w.])\d+\.\d+\s?%"  # percentages with decimals
)
#: the core-path time every overview states; the site builds the workshop plan from it
STATED_TIME = re.compile(r"\*\*Time\*\*:\s*about\s+(\d+)\s+min")


def stated_minutes(nb) -> int:
    """The core-path time a notebook's overview states (``**Time**: about NN minutes``)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and (found := STATED_TIME.search(cell.source)):
            return int(found.group(1))
    raise ValueError("a notebook's overview states no '**Time**: about NN minutes'")


#: Figures a markdown cell may state, per notebook prefix: not measurements of the run, but
#: parameter defaults or facts of the shipped data that a checked cell prints (and nbval checks).
FIGURES_ALLOWED: dict[str, set[str]] = {}  # none needed today: rewording came first


def figures_in_prose(nb, prefix: str) -> list[str]:
    """Measured-looking figures stated by markdown cells (code spans and math are ignored)."""
    allowed = FIGURES_ALLOWED.get(prefix, set())
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        text = re.sub(r"`[^`]*`|\$[^$]*\$", "", cell.source)  # code and formulas are not claims
        for match in MEASURED_FIGURE.finditer(text):
            if match.group(0).strip() not in allowed:
                found.append(
                    f"cell {i}: markdown states a measured-looking figure {match.group(0)!r}: "
                    "print it from a cell with the run's value, or word it as what to look for"
                )
    return found


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def problems(path) -> list[str]:
    """Everything in a notebook that breaks the output rule or the skeleton (empty: fine)."""
    nb = nbformat.read(str(path), as_version=4)
    found = []
    cells = nb.cells
    if not cells or not re.match(r"# \d\d · \S", cells[0].source):
        found.append("first cell must be the title '# NN · Title'")
    markdown = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    positions = [
        markdown.find("\n" + h + "\n")
        if markdown.find("\n" + h + "\n") >= 0
        else markdown.find("\n" + h)
        for h in SKELETON
    ]
    for heading, pos in zip(SKELETON, positions, strict=True):
        if pos < 0:
            found.append(f"missing heading {heading!r}")
    present = [p for p in positions if p >= 0]
    if present != sorted(present):
        found.append(f"headings out of order; expected {SKELETON}")
    parameter_cells = [c for c in cells if "parameters" in _tags(c)]
    if len(parameter_cells) != 1:
        found.append("needs exactly one cell tagged 'parameters'")
    else:
        import papermill

        # papermill silently skips an assignment it cannot parse: then it is no parameter
        assigned = re.findall(r"^(\w+)\s*=", parameter_cells[0].source, flags=re.M)
        parsed = set(papermill.inspect_notebook(str(path)))
        for name in assigned:
            if name not in parsed:
                found.append(
                    f"parameter {name!r}: papermill cannot parse its line (keep it `name = value  # comment`)"
                )
    code = [c for c in cells if c.cell_type == "code"]
    for i, cell in enumerate(code):
        checked = CHECK_TAG in _tags(cell)
        if not checked and cell.get("execution_count") is not None:
            found.append(f"code cell {i}: execution count not stripped")
        if checked and cell.get("execution_count") is not None:
            found.append(
                f"code cell {i}: execution count not stripped (checked cells keep outputs only)"
            )
        if checked and not cell.outputs:
            found.append(f"code cell {i}: tagged {CHECK_TAG} but has no stored reference output")
        if checked and not cell.metadata.get("keep_output"):
            found.append(f"code cell {i}: tagged {CHECK_TAG} needs metadata keep_output: true")
        if not checked and cell.outputs:
            found.append(f"code cell {i}: stored outputs (only {CHECK_TAG} cells keep theirs)")
        for output in cell.outputs:
            if output.get("output_type") != "stream":
                found.append(
                    f"code cell {i}: checked outputs must be printed text, not {output.get('output_type')}"
                )
    if nb.metadata.get("kernelspec") != KERNELSPEC:
        found.append(f"metadata.kernelspec must be {KERNELSPEC} (what JupyterLab would write back)")
    extra = sorted(set(nb.metadata) - {"kernelspec", "language_info"})
    if extra:
        found.append(f"notebook metadata holds {extra}: keep kernelspec and language_info only")
    found += _exercise_problems(cells)
    overview = "\n".join(c.source for c in cells[:2] if c.cell_type == "markdown")
    if not STATED_TIME.search(overview):
        found.append("the overview must state the time: '**Time**: about NN minutes …'")
    if not code or "client.close()" not in code[-1].source:
        found.append("the last code cell must close the client (and the cluster)")
    found += figures_in_prose(nb, Path(path).name[:2])
    return found


def _exercise_problems(cells) -> list[str]:
    found = []
    solutions = [i for i, c in enumerate(cells) if SOLUTION_TAG in _tags(c)]
    if len(solutions) < MIN_EXERCISES:
        found.append(
            f"needs at least {MIN_EXERCISES} exercises, each with a cell tagged {SOLUTION_TAG!r}"
        )
    for i in solutions:
        cell = cells[i]
        if not cell.metadata.get("jupyter", {}).get("source_hidden"):
            found.append(f"cell {i}: a solution must be hidden (metadata jupyter.source_hidden)")
        if CHECK_TAG in _tags(cell):
            found.append(f"cell {i}: a solution's stored output would give the answer away")
        after = [c for c in cells[i + 1 :] if c.cell_type == "code"][:1]
        if not after or "check(" not in after[0].source:
            found.append(
                f"cell {i}: the code cell after a solution must check it (coursekit.exercises.check)"
            )
    exercise_headings = [
        c
        for c in cells
        if c.cell_type == "markdown" and re.search(r"^## Exercise", c.source, flags=re.M)
    ]
    if len(exercise_headings) < MIN_EXERCISES:
        found.append(
            f"needs at least {MIN_EXERCISES} '## Exercise …' headings (one mid-way, one at the end)"
        )
    return found


#: The kernelspec every notebook names (what ipykernel installs as ``python3``).
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def match_kernel(paths) -> list[Path]:
    """Store in each notebook the kernel metadata this environment's kernel will report.

    JupyterLab writes the kernel's ``language_info`` (Python version included) into a notebook
    when its kernel starts, and marks the notebook as modified if that changes anything: a
    learner would open every notebook with an unsaved-changes dot. The repository cannot know
    the Python patch version of the machine that opens it, so ``binder/postBuild`` runs this
    once in the image (``python -m coursekit notebooks --match-kernel``). Returns the changed files.
    """
    from ipykernel.ipkernel import IPythonKernel

    changed = []
    for path in map(Path, paths):
        nb = nbformat.read(str(path), as_version=4)
        wanted = {
            "kernelspec": dict(KERNELSPEC),
            "language_info": dict(IPythonKernel.language_info),
        }
        if all(nb.metadata.get(key) == value for key, value in wanted.items()):
            continue
        nb.metadata.update(wanted)
        nbformat.write(nb, str(path))
        changed.append(path)
    return changed


def refresh(path) -> None:
    """Run ``path`` with its default parameters and store the checked cells' outputs."""
    import papermill

    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        executed = Path(tmp) / path.name
        papermill.execute_notebook(
            str(path), str(executed), cwd=str(path.parent), progress_bar=False
        )
        ran = nbformat.read(str(executed), as_version=4)
    nb = nbformat.read(str(path), as_version=4)
    by_id = {c.get("id"): c for c in ran.cells}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if CHECK_TAG in _tags(cell):
            ran_cell = by_id[cell.get("id")]
            cell.outputs = [o for o in ran_cell.outputs if o.get("output_type") == "stream"]
            for output in cell.outputs:
                output.pop("execution_count", None)
            cell.metadata["keep_output"] = True
            cell.execution_count = None  # tests/conftest.py gives nbval the count it needs
        else:
            cell.outputs = []
            cell.metadata.pop("keep_output", None)
            cell.execution_count = None
    nbformat.write(nb, str(path))
    # nbstripout removes what Jupyter adds on save (volatile metadata) and every execution count
    subprocess.run([sys.executable, "-m", "nbstripout", str(path)], check=True)
