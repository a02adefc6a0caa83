"""coursekit.results: what notebooks save for the tests, and the workers' memory warnings."""

from __future__ import annotations

import time

import pytest

from coursekit.results import worker_memory_warnings


def _hold(nbytes, seconds):
    import numpy as np

    block = np.ones(nbytes // 8)
    time.sleep(seconds)  # the worker's memory monitor samples every 100 ms
    return float(block[0])


@pytest.mark.slow
def test_worker_memory_warnings_sees_a_paused_worker_and_nothing_otherwise():
    import dask
    from dask.distributed import Client, LocalCluster

    # pause at half the limit and never kill: the worker's own base memory (~100 MiB) then
    # cannot push the test's block past a restart
    memory = {
        "distributed.worker.memory.pause": 0.5,
        "distributed.worker.memory.terminate": False,
        "distributed.worker.memory.target": False,
        "distributed.worker.memory.spill": False,
    }
    with (
        dask.config.set(memory),
        LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=True,
            memory_limit="500MiB",
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        ) as cluster,
        Client(cluster) as client,
    ):
        assert client.submit(_hold, 10_000_000, 0.5).result() == 1.0
        assert worker_memory_warnings(client) == []  # 10 MB in a 500 MiB worker: nothing to report
        assert client.submit(_hold, 300 * 2**20, 3.0).result() == 1.0
        warnings = worker_memory_warnings(client)
    assert any("Pausing worker" in line for line in warnings), warnings
    assert all(line.startswith("tcp://127.0.0.1:") for line in warnings)
