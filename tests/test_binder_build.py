"""A rehearsal of the Binder build, as far as this machine allows (no Docker engine here).

repo2docker starts from its own base environment (conda-forge, Python 3.11), installs
``binder/requirements.txt`` with the command its Dockerfile runs, then runs ``binder/postBuild``.
This test does the same in a fresh virtual environment: the base environment's Jupyter packages
at the versions repo2docker's lock file names (those on PyPI), then the Dockerfile's install
command, then postBuild. It asserts what a participant's image needs: a consistent environment
exactly as locked, dask-labextension enabled, the JupyterLab settings installed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coursekit import REPO_ROOT

#: The base environment's Python packages that matter to the course's tree, by their PyPI name
#: (conda-forge name → PyPI name). The rest of repo2docker's lock is libraries (openssl, zeromq,
#: nodejs…) or conda-only metapackages (jupyterhub-singleuser is jupyterhub-base plus a script).
BASE_PACKAGES = {
    "jupyterlab": "jupyterlab",
    "notebook": "notebook",
    "jupyter_server": "jupyter-server",
    "jupyterlab_server": "jupyterlab-server",
    "jupyter_client": "jupyter-client",
    "jupyter_core": "jupyter-core",
    "ipywidgets": "ipywidgets",
    "jupyter-resource-usage": "jupyter-resource-usage",
    "jupyter-offlinenotebook": "jupyter-offlinenotebook",
    "jupyterhub-base": "jupyterhub",
    "setuptools": "setuptools",
}


def _base_environment() -> dict[str, str]:
    import repo2docker

    lock = (
        Path(repo2docker.__file__).parent
        / "buildpacks"
        / "conda"
        / "environment.py-3.11-linux-64.lock"
    )
    found = {}
    for url in lock.read_text().splitlines():
        match = re.search(r"/([A-Za-z0-9_.\-]+?)-(\d[^-/]*)-[^-/]+\.(?:conda|tar\.bz2)", url)
        if match and match[1] in BASE_PACKAGES:
            found[BASE_PACKAGES[match[1]]] = match[2]
    assert set(found) == set(BASE_PACKAGES.values()), sorted(found)
    return found


def _dockerfile_install_command() -> str:
    done = subprocess.run(
        [sys.executable, "-m", "repo2docker", "--no-build", "--debug", "."],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (line,) = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if line.startswith("RUN ") and 'requirements.txt"' in line
    ]
    return line.removeprefix("RUN ")


@pytest.mark.slow
def test_binder_build_rehearsal(tmp_path):
    # the image's copy of the repository (postBuild changes notebooks' kernel metadata there)
    repo = tmp_path / "repo"
    shutil.copytree(
        REPO_ROOT,
        repo,
        ignore=shutil.ignore_patterns(
            ".venv", "runs", ".git", "site", "*.egg-info", "__pycache__", ".ipynb_checkpoints"
        ),
    )
    prefix = tmp_path / "srv-conda"  # stands for ${NB_PYTHON_PREFIX} = ${KERNEL_PYTHON_PREFIX}
    env = {
        **os.environ,
        "PATH": f"{prefix}/bin:{os.environ['PATH']}",
        "NB_PYTHON_PREFIX": str(prefix),
        "KERNEL_PYTHON_PREFIX": str(prefix),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env.pop("VIRTUAL_ENV", None)

    def run(command, **kwargs):
        done = subprocess.run(
            command,
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            shell=isinstance(command, str),
            **kwargs,
        )
        assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    subprocess.run([sys.executable, "-m", "venv", str(prefix)], check=True)
    base = _base_environment()
    run(
        [
            f"{prefix}/bin/pip",
            "install",
            "--quiet",
            *(f"{n}=={v}" for n, v in sorted(base.items())),
        ],
        timeout=900,
    )
    assert (
        run([f"{prefix}/bin/python", "-m", "pip", "show", "notebook"]).count(base["notebook"]) == 1
    )

    start = time.monotonic()
    install = _dockerfile_install_command().replace("${KERNEL_PYTHON_PREFIX}", str(prefix))
    assert install.endswith('pip install --no-cache-dir -r "binder/requirements.txt"')
    run(install, timeout=1500)
    install_s = time.monotonic() - start
    run(["bash", "binder/postBuild"], timeout=300)

    # postBuild checked these already (and would have failed the build); check them again here
    run([f"{prefix}/bin/python", "-m", "pip", "check"])
    assert "are installed at their locked versions" in run(
        [f"{prefix}/bin/python", "-m", "coursekit", "lockcheck", "requirements.lock"]
    )
    extensions = subprocess.run(
        [f"{prefix}/bin/jupyter", "labextension", "list"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    listing = re.sub(r"\x1b\[[0-9;]*m", "", extensions.stdout + extensions.stderr)  # colours
    assert re.search(r"dask-labextension v7\S* enabled OK", listing), listing
    assert re.search(r"JupyterLab v4\.6\.6\b", listing)  # the lock's, not the base image's 4.4
    overrides = (
        prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / "dask-course.json"
    )
    assert json.loads(overrides.read_text()) == json.loads(
        (REPO_ROOT / "binder" / "overrides.json").read_text()
    )

    # the notebooks carry the image's kernel metadata, so JupyterLab opens them unmodified
    python = run(
        [f"{prefix}/bin/python", "-c", "import platform; print(platform.python_version())"]
    ).strip()
    for path in sorted((repo / "notebooks").glob("*.ipynb")):
        assert json.loads(path.read_text())["metadata"]["language_info"]["version"] == python, (
            path.name
        )

    size = subprocess.run(
        ["du", "-sm", str(prefix)], capture_output=True, text=True
    ).stdout.split()[0]
    figures = {
        "install_s": round(install_s, 1),
        "environment_mb": int(size),
        "base_environment": base,
        "install_command": install.replace(str(prefix), "${KERNEL_PYTHON_PREFIX}"),
    }
    out = REPO_ROOT / "runs" / "binder-build"
    out.mkdir(parents=True, exist_ok=True)
    (out / "figures.json").write_text(json.dumps(figures, indent=1))
    shutil.rmtree(prefix, ignore_errors=True)
