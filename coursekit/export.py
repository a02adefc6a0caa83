"""Write a scikit-learn estimator (e.g. the pipeline TPOT found) as a Python file that rebuilds it.

TPOT 1.x no longer exports code; a pickle would tie the result to the exact library versions and
hide what was found. The file written here imports each class from its public module and
constructs the estimator with only the parameters that differ from their defaults.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator


def _public_module(cls) -> str:
    """The shortest module path (private parts dropped) that still exports ``cls``."""
    parts = cls.__module__.split(".")
    for end in range(1, len(parts) + 1):
        candidate = ".".join(p for p in parts[:end] if not p.startswith("_")) or parts[0]
        try:
            if getattr(importlib.import_module(candidate), cls.__name__, None) is cls:
                return candidate
        except ImportError:
            continue
    return cls.__module__


def _joined(open_: str, items: list[str], close: str, indent: int) -> str:
    """Items on one line when short, else one per line."""
    inline = open_ + ", ".join(items) + close
    if len(inline) + indent <= 88 and "\n" not in inline:
        return inline
    pad = " " * (indent + 4)
    return open_ + "\n" + pad + (",\n" + pad).join(items) + ",\n" + " " * indent + close


def _code(value, imports: dict, indent: int) -> str:
    if isinstance(value, np.generic):  # NumPy scalars TPOT leaves in parameters: plain Python
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        items = [_code(v, imports, indent + 4) for v in value]
        if isinstance(value, list):
            return _joined("[", items, "]", indent)
        return _joined("(", items, ",)" if len(items) == 1 else ")", indent)
    if isinstance(value, dict):
        return _joined(
            "{",
            [
                f"{_code(k, imports, indent + 4)}: {_code(v, imports, indent + 4)}"
                for k, v in value.items()
            ],
            "}",
            indent,
        )
    if inspect.isclass(value) or inspect.isfunction(value):
        if "<" in value.__qualname__:  # a lambda or a local function cannot be imported
            raise TypeError(f"cannot write {value.__qualname__} as code: define it at module level")
        imports.setdefault(_public_module(value), set()).add(value.__name__)
        return value.__name__
    params = _init_params(value)
    if params is None:
        raise TypeError(f"cannot write {type(value).__name__} value {value!r} as code")
    cls = type(value)
    imports.setdefault(_public_module(cls), set()).add(cls.__name__)
    defaults = {
        name: p.default
        for name, p in inspect.signature(cls.__init__).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    args = [
        f"{name}={_code(param, imports, indent + 4)}"
        for name, param in params.items()
        if not (name in defaults and _same(param, defaults[name]))
    ]
    return _joined(f"{cls.__name__}(", args, ")", indent)


def _init_params(value) -> dict | None:
    """Constructor arguments of an estimator (get_params) or of an object that keeps each of
    them as an attribute of the same name (e.g. a cross-validation splitter); else None."""
    if isinstance(value, BaseEstimator):
        return value.get_params(deep=False)
    if inspect.isclass(value) or inspect.isroutine(value) or type(value).__module__ == "builtins":
        return None
    try:
        names = [
            n
            for n, p in inspect.signature(type(value).__init__).parameters.items()
            if n != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
    except (TypeError, ValueError):
        return None
    if not all(hasattr(value, n) for n in names):
        return None
    return {n: getattr(value, n) for n in names}


def _same(a, b) -> bool:
    try:
        return bool(a == b) if not isinstance(a, BaseEstimator) else False
    except (TypeError, ValueError):  # arrays and the like: treat as changed
        return False


def pipeline_code(estimator, name: str = "pipeline") -> str:
    """Python source that imports what it needs and assigns an unfitted copy of ``estimator``."""
    imports: dict[str, set[str]] = {}
    body = _code(estimator, imports, 0)
    lines = [
        f"from {module} import {', '.join(sorted(names))}"
        for module, names in sorted(imports.items())
    ]
    return "\n".join(
        ["# Written by coursekit.export.pipeline_code", *lines, "", f"{name} = {body}", ""]
    )


def export_pipeline(estimator, path, name: str = "pipeline") -> Path:
    """Write ``pipeline_code(estimator)`` to ``path`` (folders are created); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(pipeline_code(estimator, name))
    return path
