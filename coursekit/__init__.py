"""Plumbing for the course notebooks: data files, parameters and the run-all runner.

Nothing in here hides a Dask call a learner should see: the notebooks create their
clusters, dataframes and models themselves. This package only finds, checks, downloads
and generates data, validates papermill parameters and runs the series headless.
"""

from pathlib import Path

#: The repository checkout this package was installed from (editable install).
REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
PROFILES_DIR = REPO_ROOT / "profiles"

from .data import DataError  # noqa: E402
from .params import ParameterError  # noqa: E402
from .results import save_results  # noqa: E402

__all__ = [
    "REPO_ROOT",
    "NOTEBOOKS_DIR",
    "PROFILES_DIR",
    "DataError",
    "ParameterError",
    "save_results",
]
