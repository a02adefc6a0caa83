"""Papermill parameters: profiles (files of parameters per notebook) and their validation.

A profile is ``profiles/<name>.yml``: a mapping from a notebook's file stem (e.g.
``01-connecting-to-a-dask-cluster``) to the parameters that override its defaults.
Notebook defaults are the ``binder`` profile, which is why ``binder.yml`` is nearly empty.
"""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

from . import PROFILES_DIR
from .series import notebooks


class ParameterError(ValueError):
    """A profile or parameter that does not fit the notebook it is meant for."""


def available_profiles(profiles_dir=None) -> list[str]:
    return sorted(p.stem for p in Path(profiles_dir or PROFILES_DIR).glob("*.yml"))


def load_profile(name: str, profiles_dir=None) -> dict[str, dict]:
    path = Path(profiles_dir or PROFILES_DIR) / f"{name}.yml"
    if not path.is_file():
        raise ParameterError(
            f"unknown profile {name!r}; available: {available_profiles(profiles_dir)}"
        )
    profile = yaml.safe_load(path.read_text()) or {}
    if not isinstance(profile, dict) or not all(isinstance(v, dict) for v in profile.values()):
        raise ParameterError(f"{path}: a profile maps notebook names to mappings of parameters")
    return profile


def notebook_parameters(notebook) -> dict[str, object]:
    """The parameters a notebook declares (its ``parameters`` cell) with their default values."""
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    if not declared:
        raise ParameterError(f"{notebook}: no cell tagged 'parameters'")
    defaults = {}
    for name, info in declared.items():
        try:
            defaults[name] = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            defaults[name] = info["default"]  # an expression: no type to check against
    return defaults


def _type_ok(value, default) -> bool:
    if default is None or isinstance(default, str) and value is None:
        return True  # None / '' defaults mean "unset": accept any value or None
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float)) and (
            isinstance(default, float) or isinstance(value, int)
        )
    if isinstance(default, (list, tuple)):
        return isinstance(value, (list, tuple))
    return isinstance(value, type(default))


def validate(notebook, params: dict) -> dict:
    """Check names and types of ``params`` against the notebook's parameters cell."""
    defaults = notebook_parameters(notebook)
    for name, value in params.items():
        if name not in defaults:
            raise ParameterError(
                f"{Path(notebook).name}: unknown parameter {name!r}; allowed: {sorted(defaults)}"
            )
        if not _type_ok(value, defaults[name]):
            raise ParameterError(
                f"{Path(notebook).name}: parameter {name!r} must be like its default "
                f"{defaults[name]!r} ({type(defaults[name]).__name__}), not {value!r} ({type(value).__name__})"
            )
    return params


def parameters_for(
    notebook, profile: str = "binder", overrides: dict | None = None, profiles_dir=None
) -> dict:
    """The validated parameters a profile (plus overrides) gives one notebook."""
    profile_params = load_profile(profile, profiles_dir)
    stems = {p.stem for p in notebooks(Path(notebook).parent)}
    unknown = sorted(set(profile_params) - stems)
    if unknown:
        raise ParameterError(f"profile {profile!r} names notebooks that do not exist: {unknown}")
    params = dict(profile_params.get(Path(notebook).stem, {}))
    params.update(overrides or {})
    return validate(notebook, params)
