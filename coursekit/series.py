"""The series: the course's notebooks, in order."""

from __future__ import annotations

from pathlib import Path

from . import NOTEBOOKS_DIR


def notebooks(notebooks_dir=None) -> list[Path]:
    """The series in order (file names start with their two-digit number)."""
    return sorted(Path(notebooks_dir or NOTEBOOKS_DIR).glob("[0-9][0-9]-*.ipynb"))
