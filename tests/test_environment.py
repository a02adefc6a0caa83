"""One environment, two front doors: the pip pins, the lock and environment.yml agree, and
repo2docker (Binder) builds from binder/ and runs postBuild and start."""

from __future__ import annotations

import re
import subprocess
import sys

import yaml

from coursekit import REPO_ROOT

# conda-forge names that differ from the PyPI names of the same packages
CONDA_TO_PIP = {"matplotlib-base": "matplotlib"}


def _pins(path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==([^\s\\;]+)", line)
        if match:
            pins[match[1].lower().replace("_", "-")] = match[3]
    return pins


def _conda_pins() -> dict[str, str]:
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())  # conda users' file
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "=" in dep:
            name, version = dep.split("=", 1)
            pins[CONDA_TO_PIP.get(name, name)] = version
    return pins


def test_environment_yml_names_the_same_versions_as_requirements():
    conda, pip = _conda_pins(), _pins(REPO_ROOT / "requirements.txt")
    python = conda.pop("python")
    assert python == f"{sys.version_info.major}.{sys.version_info.minor}" == "3.11"
    assert conda == pip


def test_lock_pins_every_requirement_at_its_version_with_hashes():
    lock = _pins(REPO_ROOT / "requirements.lock")
    wanted = {**_pins(REPO_ROOT / "requirements.txt"), **_pins(REPO_ROOT / "requirements-dev.txt")}
    assert {name: lock.get(name) for name in wanted} == wanted
    text = (REPO_ROOT / "requirements.lock").read_text()
    assert text.count("--hash=sha256:") >= len(lock)


def test_installed_versions_are_the_locked_ones():
    from importlib.metadata import version

    lock = _pins(REPO_ROOT / "requirements.lock")
    for name in [
        "dask",
        "distributed",
        "dask-ml",
        "scikit-learn",
        "xgboost",
        "tpot",
        "pandas",
        "setuptools",
    ]:
        assert version(name) == lock[name], name


def test_binder_reads_the_lock_not_a_conda_file():
    # repo2docker reads only binder/ when it exists: a conda file there would win over the lock
    binder = REPO_ROOT / "binder"
    assert not (binder / "environment.yml").exists() and not (REPO_ROOT / "postBuild").exists()
    lines = [
        line.split("#")[0].strip()
        for line in (binder / "requirements.txt").read_text().splitlines()
    ]
    assert [line for line in lines if line] == ["-r ../requirements.lock"]
    assert (binder / "runtime.txt").read_text().strip() == "python-3.11"
    assert not (REPO_ROOT / "environment.yml").is_symlink()  # the conda users' file


def test_repo2docker_installs_the_lock_with_python_311_then_postbuild_and_start():
    done = subprocess.run(
        [sys.executable, "-m", "repo2docker", "--no-build", "--debug", "."],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    dockerfile = done.stdout + done.stderr
    # the Python buildpack, on its Python 3.11 base environment
    assert "Building conda environment for python=3.11" in dockerfile
    install = (
        'RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r "binder/requirements.txt"'
    )
    assert install in dockerfile
    # the whole repository is there before the install (requirements.txt refers to ../requirements.lock)
    assert dockerfile.index("COPY --chown=0:0 src/ ${REPO_DIR}/") < dockerfile.index(install)
    assert dockerfile.index(install) < dockerfile.index("RUN ./binder/postBuild")
    assert 'ENV R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' in dockerfile
    assert "env update" not in dockerfile  # no conda solve of the course's packages
    postbuild = (REPO_ROOT / "binder" / "postBuild").read_text()
    for step in [
        "pip install --no-deps -e .",
        "pip check",
        "coursekit lockcheck requirements.lock",
        "overrides.d",
    ]:
        assert step in postbuild, step
    start = (REPO_ROOT / "binder" / "start").read_text()
    assert "DASK_DISTRIBUTED__DASHBOARD__LINK" in start and "JUPYTERHUB_SERVICE_PREFIX" in start
    assert 'exec "$@"' in start


def test_lockcheck_names_each_difference():
    from coursekit.lockcheck import differences

    lock = REPO_ROOT / "requirements.lock"
    assert differences(lock) == []  # this environment is the locked one
    have = {"dask": "2026.8.0"}
    found = differences(lock, have={**have, "pandas": "0.1"})
    assert "pandas: locked 3.1.1, installed 0.1" in found
    assert "distributed: locked 2026.8.0, not installed" in found
    assert not any(line.startswith("dask:") for line in found)


def test_binder_start_sets_the_proxied_dashboard_link(tmp_path):
    # run binder/start with a stand-in `jupyter` and print what it hands to the next command
    fake = tmp_path / "jupyter"
    fake.write_text('#!/bin/sh\necho "$@" > "$(dirname "$0")/jupyter-args"\n')
    fake.chmod(0o755)
    env = {"PATH": f"{tmp_path}:/usr/bin:/bin", "JUPYTERHUB_SERVICE_PREFIX": "/user/ada/"}
    done = subprocess.run(
        ["bash", "binder/start", "sh", "-c", "echo $DASK_DISTRIBUTED__DASHBOARD__LINK"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.stdout.strip() == "/user/ada/proxy/{port}/status"
    assert (tmp_path / "jupyter-args").read_text().split() == [
        "lab",
        "workspaces",
        "import",
        "binder/workspace.json",
    ]
