"""The rule for what a committed notebook holds, its check, and the command that applies it.

The rule: notebooks are committed **without outputs and execution counts**, except the cells
tagged ``nbval-check-output`` (which keep both). Those print deterministic facts of the shipped data and of the
default (Binder) profile; their stored output is the reference that nbval compares a fresh
run against, so they keep it (cell metadata ``keep_output: true``, which nbstripout honours).

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
#: Headings every notebook has, in this order (the course skeleton, see ../shared/STYLE.md).
SKELETON = ["## Overview", "## Parameters", "## Exercise", "### Solution", "## Summary",
            "## What's next", "## Resources"]


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
    positions = [markdown.find("\n" + h + "\n") if markdown.find("\n" + h + "\n") >= 0
                 else markdown.find("\n" + h) for h in SKELETON]
    for heading, pos in zip(SKELETON, positions):
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
                found.append(f"parameter {name!r}: papermill cannot parse its line (keep it `name = value  # comment`)")
    code = [c for c in cells if c.cell_type == "code"]
    for i, cell in enumerate(code):
        checked = CHECK_TAG in _tags(cell)
        if not checked and cell.get("execution_count") is not None:
            found.append(f"code cell {i}: execution count not stripped")
        if checked and not cell.outputs:
            found.append(f"code cell {i}: tagged {CHECK_TAG} but has no stored reference output")
        if checked and not cell.metadata.get("keep_output"):
            found.append(f"code cell {i}: tagged {CHECK_TAG} needs metadata keep_output: true")
        if not checked and cell.outputs:
            found.append(f"code cell {i}: stored outputs (only {CHECK_TAG} cells keep theirs)")
        for output in cell.outputs:
            if output.get("output_type") != "stream":
                found.append(f"code cell {i}: checked outputs must be printed text, not {output.get('output_type')}")
    if not code or "client.close()" not in code[-1].source:
        found.append("the last code cell must close the client (and the cluster)")
    return found


def refresh(path) -> None:
    """Run ``path`` with its default parameters and store the checked cells' outputs."""
    import papermill

    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        executed = Path(tmp) / path.name
        papermill.execute_notebook(str(path), str(executed), cwd=str(path.parent), progress_bar=False)
        ran = nbformat.read(str(executed), as_version=4)
    nb = nbformat.read(str(path), as_version=4)
    by_id = {c.get("id"): c for c in ran.cells}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if CHECK_TAG in _tags(cell):
            ran_cell = by_id[cell.get("id")]
            cell.outputs = [o for o in ran_cell.outputs if o.get("output_type") == "stream"]
            cell.metadata["keep_output"] = True
            cell.execution_count = ran_cell.execution_count  # nbval skips reference cells without one
        else:
            cell.outputs = []
            cell.metadata.pop("keep_output", None)
            cell.execution_count = None
    nbformat.write(nb, str(path))
    # nbstripout removes what Jupyter adds on save (volatile metadata); --keep-count keeps the
    # checked cells' counts, which nbval needs
    subprocess.run([sys.executable, "-m", "nbstripout", "--keep-count", str(path)], check=True)
