"""Checking a learner's exercise answer (plumbing: no Dask here).

Each exercise in a notebook has three cells:

1. the learner's cell, which assigns ``answer = None`` for the learner to replace;
2. the solution, hidden (cell metadata ``jupyter.source_hidden``, tag ``solution``), which
   computes ``solution`` and never overwrites the learner's ``answer``;
3. a check cell: ``check("Exercise 1", answer, expected=..., solution=solution)`` where
   ``expected`` is computed in that cell from the run's own values, another way.

Run top to bottom with no answer (papermill, the tests), the check asserts the hidden solution
against ``expected``: so every solution is tested. With an answer, it tells the learner whether
it matches, without giving the expected value away.
"""

from __future__ import annotations

import math


def _same(a, b, rel: float) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y, rel) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], rel) for k in a)
    try:
        return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=rel)
    except (TypeError, ValueError):
        return a == b


def matches(answer, expected, rel: float = 1e-9) -> bool:
    """Whether an answer is the expected value: numbers to ``rel``, collections element by element."""
    return _same(answer, expected, rel)


def check(name: str, answer, *, expected, solution, rel: float = 1e-9) -> None:
    """Say whether ``answer`` matches ``expected``; with no answer, assert the solution does.

    Prints what the learner needs and returns nothing (a notebook would show a returned value
    under the message). Raises AssertionError when the hidden solution itself is wrong: the
    course is broken.
    """
    if not matches(solution, expected, rel):
        raise AssertionError(f"{name}: the hidden solution does not give the expected value")
    if answer is None:
        print(f"{name}: no answer yet. Write yours in the cell above, or open the hidden solution.")
    elif matches(answer, expected, rel):
        print(f"{name}: correct.")
    else:
        print(
            f"{name}: not yet. Your answer {answer!r} is not the expected value; compare with the "
            "hidden solution."
        )
