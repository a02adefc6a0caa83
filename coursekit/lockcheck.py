"""Is the running environment exactly the locked one? (Binder's postBuild and the tests ask.)

``python -m coursekit lockcheck requirements.lock`` prints every package of the lock that is
missing or installed at another version, and exits 1 when there is any: the image Binder builds
must be the tree CI tests. Packages the lock does not name (the image's base environment) are
allowed.
"""

from __future__ import annotations

import re
from importlib.metadata import distributions
from pathlib import Path

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._\-]*)(?:\[[^\]]*\])?==([^\s\\;]+)")


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(lock_path) -> dict[str, str]:
    """``{normalised name: version}`` for every ``name==version`` line of a pip lock file."""
    pins = {}
    for line in Path(lock_path).read_text().splitlines():
        match = _PIN.match(line)
        if match:
            pins[_name(match[1])] = match[2]
    if not pins:
        raise ValueError(f"{lock_path}: no 'name==version' pins found")
    return pins


def installed() -> dict[str, str]:
    # the first distribution of a name on sys.path is the one imports get (setuptools may put
    # its vendored copies of some packages later on the path)
    found: dict[str, str] = {}
    for dist in distributions():
        if dist.metadata["Name"]:
            found.setdefault(_name(dist.metadata["Name"]), dist.version)
    return found


def differences(lock_path, have: dict[str, str] | None = None) -> list[str]:
    """One line per locked package that is missing or at another version (empty: exact)."""
    have = installed() if have is None else have
    found = []
    for name, version in sorted(locked(lock_path).items()):
        if name not in have:
            found.append(f"{name}: locked {version}, not installed")
        elif have[name] != version:
            found.append(f"{name}: locked {version}, installed {have[name]}")
    return found
