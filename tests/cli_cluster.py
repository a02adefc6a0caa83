"""A real multi-process Dask cluster for the tests: one `dask scheduler` and N `dask worker`
processes started with the `dask` command line on loopback, each with its own scratch folder,
torn down (and checked gone) even when the test fails."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

DASK = shutil.which("dask", path=str(Path(sys.executable).parent)) or "dask"


@dataclass
class CliCluster:
    scheduler_address: str
    scheduler_file: Path
    processes: list[subprocess.Popen] = field(default_factory=list)
    env: dict = field(default_factory=dict)

    def worker_pids(self, client) -> dict[str, int]:
        """Worker address -> pid of the worker process (a child of its nanny)."""
        return client.run(os.getpid)


def _tls_args(tls: dict | None, role: str) -> list[str]:
    if not tls:
        return []
    return [
        "--tls-ca-file",
        str(tls["ca"]),
        "--tls-cert",
        str(tls[f"{role}_cert"]),
        "--tls-key",
        str(tls[f"{role}_key"]),
    ]


def _stop(processes: list[subprocess.Popen]) -> list[int]:
    """Stop every process group (SIGTERM, then SIGKILL); return pids still alive after that."""
    everyone = []
    for proc in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            everyone += [
                proc.pid,
                *(c.pid for c in psutil.Process(proc.pid).children(recursive=True)),
            ]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for proc in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(p) for p in everyone):
            time.sleep(0.1)
        for proc in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.1)
    return [p for p in everyone if alive(p)]


def alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (a zombie waiting to be reaped does not count)."""
    with contextlib.suppress(psutil.NoSuchProcess):
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    return False


@contextlib.contextmanager
def cli_cluster(
    scratch: Path,
    n_workers: int = 2,
    *,
    memory_limit: str = "700MiB",
    tls: dict | None = None,
    timeout: float = 60,
):
    """Start the cluster; yield a CliCluster; stop every process on exit."""
    scratch.mkdir(parents=True, exist_ok=True)
    scheduler_file = scratch / "scheduler.json"
    env = dict(os.environ)
    protocol = ["--protocol", "tls"] if tls else []
    logs = []
    processes = []

    def start(name, args):
        log = open(scratch / f"{name}.log", "w")  # noqa: SIM115 (closed below)
        logs.append(log)
        processes.append(
            subprocess.Popen(
                [DASK, *args],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=scratch,
                start_new_session=True,
            )
        )

    try:
        start(
            "scheduler",
            [
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--dashboard-address",
                "127.0.0.1:0",
                "--scheduler-file",
                str(scheduler_file),
                *protocol,
                *_tls_args(tls, "scheduler"),
            ],
        )
        deadline = time.monotonic() + timeout
        while not scheduler_file.exists():
            if processes[0].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"dask scheduler did not start: {(scratch / 'scheduler.log').read_text()}"
                )
            time.sleep(0.1)
        time.sleep(0.2)  # the file is written whole, but let the scheduler finish starting
        address = json.loads(scheduler_file.read_text())["address"]
        for i in range(n_workers):
            start(
                f"worker-{i}",
                [
                    "worker",
                    address,
                    "--host",
                    "127.0.0.1",
                    "--nthreads",
                    "1",
                    "--memory-limit",
                    memory_limit,
                    "--dashboard-address",
                    "127.0.0.1:0",
                    "--local-directory",
                    str(scratch / f"worker-{i}"),
                    "--name",
                    f"worker-{i}",
                    *_tls_args(tls, "worker"),
                ],
            )
        yield CliCluster(address, scheduler_file, processes, env)
    finally:
        left = _stop(processes)
        for log in logs:
            log.close()
        if left:
            raise RuntimeError(f"cluster processes still running after teardown: {left}")


def make_tls_files(folder: Path) -> dict:
    """A throwaway CA and one certificate for 127.0.0.1 (scheduler, workers and client share it)."""
    if shutil.which("openssl") is None:
        import pytest

        pytest.skip("openssl is needed to make temporary TLS certificates")
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, ca, key, csr, cert = (
        folder / n for n in ["ca.key", "ca.pem", "node.key", "node.csr", "node.pem"]
    )
    ext = folder / "san.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")

    def openssl(*args):
        subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True)

    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        ca_key,
        "-out",
        ca,
        "-days",
        "1",
        "-subj",
        "/CN=course-test-ca",
    )
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        key,
        "-out",
        csr,
        "-subj",
        "/CN=localhost",
    )
    openssl(
        "x509",
        "-req",
        "-in",
        csr,
        "-CA",
        ca,
        "-CAkey",
        ca_key,
        "-CAcreateserial",
        "-out",
        cert,
        "-days",
        "1",
        "-extfile",
        ext,
    )
    return {
        "ca": ca,
        "scheduler_cert": cert,
        "scheduler_key": key,
        "worker_cert": cert,
        "worker_key": key,
        "client_cert": cert,
        "client_key": key,
    }
