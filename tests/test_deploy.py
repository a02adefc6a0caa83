"""The deployment recipes, validated offline: files parse, name the course image, ask for
resources that fit what the workers are told to use, and generate the job scripts they claim."""

from __future__ import annotations

import importlib.util
import py_compile
import re

import yaml

from coursekit import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
IMAGE = (DEPLOY / "image.txt").read_text().strip()


def _module(path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bytes(size: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)\s*([KMGT]i?B?)?", size).groups()
    scale = {
        "K": 1e3,
        "M": 1e6,
        "G": 1e9,
        "T": 1e12,
        "Ki": 2**10,
        "Mi": 2**20,
        "Gi": 2**30,
        "Ti": 2**40,
    }
    return float(number) * scale[(unit or "").removesuffix("B")] if unit else float(number)


def test_image_name_is_one_tag():
    assert re.fullmatch(r"[a-z0-9./-]+/[a-z0-9-]+:[\w.-]+", IMAGE)
    assert "$(cat deploy/image.txt)" in (DEPLOY / "build-image.sh").read_text()


def test_operator_manifest_uses_the_image_and_fits_its_resources():
    manifest = yaml.safe_load((DEPLOY / "kubernetes" / "daskcluster.yaml").read_text())
    assert manifest["kind"] == "DaskCluster" and manifest["apiVersion"] == "kubernetes.dask.org/v1"
    (worker,) = manifest["spec"]["worker"]["spec"]["containers"]
    (scheduler,) = manifest["spec"]["scheduler"]["spec"]["containers"]
    assert worker["image"] == scheduler["image"] == IMAGE
    args = worker["args"]
    nthreads = int(args[args.index("--nthreads") + 1])
    memory_limit = _bytes(args[args.index("--memory-limit") + 1])
    limits = worker["resources"]["limits"]
    assert nthreads <= int(limits["cpu"])
    assert memory_limit < _bytes(
        limits["memory"]
    )  # Dask's limit below the pod's: spill before the OOM killer
    assert worker["resources"]["requests"] == limits  # guaranteed QoS: the pod is not evicted first


def test_helm_values_use_the_image():
    values = yaml.safe_load((DEPLOY / "kubernetes" / "helm-values.yaml").read_text())
    for part in ("scheduler", "worker"):
        image = values[part]["image"]
        assert f"{image['repository']}:{image['tag']}" == IMAGE
    assert values["worker"]["threads_per_worker"] <= int(
        values["worker"]["resources"]["limits"]["cpu"]
    )
    assert values["jupyter"]["enabled"] is False


def test_python_recipes_compile_and_agree_with_the_image():
    for path in DEPLOY.rglob("*.py"):
        py_compile.compile(str(path), doraise=True)
    fargate = _module(DEPLOY / "aws" / "fargate.py")  # imports dask_cloudprovider only in main()
    assert fargate.SETTINGS["image"] == IMAGE
    assert fargate.SETTINGS["worker_nthreads"] * 1024 <= fargate.SETTINGS["worker_cpu"]
    ssh = _module(DEPLOY / "ssh" / "cluster.py")
    assert ssh.SETTINGS["remote_python"].endswith(".venv/bin/python")


def test_slurm_job_script_activates_the_environment_and_asks_for_the_settings():
    slurm = _module(DEPLOY / "hpc" / "slurm.py")
    cluster = slurm.make_cluster(
        scheduler_options={"host": "127.0.0.1", "dashboard_address": "127.0.0.1:0"}
    )
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    assert f"source {REPO_ROOT / '.venv' / 'bin' / 'activate'}" in script
    assert "#SBATCH --cpus-per-task=16" in script and "#SBATCH -t 02:00:00" in script
    assert re.search(
        r"^python -m distributed.cli.dask_worker tcp://127\.0\.0\.1:\d+ ", script, re.M
    )
    assert "--nthreads 16" in script and "--memory-limit 64.00GiB" in script
    assert "--local-directory $TMPDIR" in script
