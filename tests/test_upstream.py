"""Known upstream bugs the notebooks work around. Each test fails once the pinned version
fixes the bug, telling us to remove the workaround."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def client():
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=":0",
            memory_limit="1GiB",
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def parquet_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pq")
    rng = np.random.default_rng(0)
    for i in range(4):
        pd.DataFrame(rng.random((500_000, 14)), columns=[f"c{j}" for j in range(14)]).to_parquet(
            folder / f"part.{i}.parquet"
        )
    return folder


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="dask issue 12488: persist() of a bare read_parquet(columns=...) "
    "loses its keys; notebook 02 persists the cleaned frame instead",
)
def test_dask_12488_persisting_a_bare_projected_read_parquet(client, parquet_dir):
    import dask.dataframe as dd

    df = dd.read_parquet(parquet_dir, columns=["c0", "c1"]).persist()
    df.sum().compute()


@pytest.mark.slow
def test_dask_12488_workaround_persisting_after_an_operation_is_correct(client, parquet_dir):
    import dask.dataframe as dd

    df = dd.read_parquet(parquet_dir, columns=["c0", "c1"])
    persisted = df[df["c0"] >= 0].persist()  # an operation after the read, as in notebook 02
    expected = pd.read_parquet(parquet_dir, columns=["c0", "c1"]).sum()
    pd.testing.assert_series_equal(persisted.sum().compute(), expected)
    assert list(persisted.columns) == ["c0", "c1"]
