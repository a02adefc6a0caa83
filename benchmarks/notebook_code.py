"""The notebooks' own code, for the benchmarks: one source for what a notebook teaches.

A notebook marks the cells that hold code a benchmark measures with the tag ``workload``.
``load(prefix, names)`` reads those cells, keeps their imports and the definitions named
(functions, classes, ``name = …`` assignments) and executes them into a fresh module, so a
benchmark measures exactly the code a learner reads. Anything else in the cells (calls,
prints, parameter checks) is left out.
"""

from __future__ import annotations

import ast
import types
from functools import cache

import nbformat

from coursekit import NOTEBOOKS_DIR

TAG = "workload"


def _defined(node) -> str | None:
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return node.name
    if (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
    ):
        return node.targets[0].id
    return None


@cache
def _load(prefix: str, names: tuple[str, ...]) -> types.ModuleType:
    (path,) = sorted(NOTEBOOKS_DIR.glob(f"{prefix}-*.ipynb")) or [None]
    if path is None:
        raise LookupError(f"no notebook {prefix}-*.ipynb in {NOTEBOOKS_DIR}")
    cells = [
        c
        for c in nbformat.read(path, as_version=4).cells
        if c.cell_type == "code" and TAG in c.metadata.get("tags", [])
    ]
    if not cells:
        raise LookupError(f"{path.name}: no code cell tagged {TAG!r}")
    body = []
    for cell in cells:
        for node in ast.parse(cell.source).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)) or _defined(node) in names:
                body.append(node)
    module = types.ModuleType(f"notebook_{prefix}", f"The {TAG} cells of {path.name}")
    exec(compile(ast.Module(body=body, type_ignores=[]), str(path), "exec"), module.__dict__)
    missing = [name for name in names if name not in module.__dict__]
    if missing:
        raise LookupError(f"{path.name}: the cells tagged {TAG!r} define no {', '.join(missing)}")
    return module


def load(prefix: str, names) -> types.ModuleType:
    """The ``workload`` cells of notebook ``prefix``, reduced to imports and ``names``."""
    return _load(prefix, tuple(names))
