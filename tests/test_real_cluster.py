"""The series on a real multi-process cluster (scheduler and workers started with the `dask`
command line), with data served over HTTP as on a cluster without shared disks; worker loss
during a persisted computation and during a search; a TLS-secured cluster."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import threading
import time

import pandas as pd
import psutil
import pytest

from coursekit import REPO_ROOT
from coursekit.data import load_reviews

from .cli_cluster import alive, cli_cluster, make_tls_files
from .http_files import serve_folder

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shared_cluster(tmp_path_factory):
    with cli_cluster(
        tmp_path_factory.mktemp("cluster"), n_workers=2, memory_limit="1GiB"
    ) as running:
        yield running


@pytest.fixture
def cluster(shared_cluster):
    """The module's cluster with fresh worker processes: what one notebook leaves in the workers'
    memory (xgboost's, say) must not starve the next one."""
    from dask.distributed import Client

    with Client(shared_cluster.scheduler_address, timeout="20s") as client:
        client.restart(wait_for_workers=True, timeout=60)
    return shared_cluster


@pytest.fixture(scope="module")
def data_url(tmp_path_factory):
    """The shipped taxi sample and the reviews (as a label,title,text CSV) over HTTP on loopback:
    what workers on other machines would read instead of the notebook's local files."""
    served = tmp_path_factory.mktemp("served")
    shutil.copy(REPO_ROOT / "data" / "yellow_tripdata_2017_sample.csv", served)
    load_reviews().to_csv(served / "reviews.csv", header=False, index=False, quoting=csv.QUOTE_ALL)
    with serve_folder(served) as url:
        yield url


def test_cluster_processes_are_gone_after_teardown_even_on_failure(tmp_path):
    from dask.distributed import Client

    pids = []
    with pytest.raises(ZeroDivisionError), cli_cluster(tmp_path / "c", n_workers=2) as running:
        with Client(running.scheduler_address, timeout="20s") as client:
            client.wait_for_workers(2, timeout=60)
            assert client.submit(sum, [1, 2]).result() == 3
            workers = client.scheduler_info()["workers"]
            assert all(addr.startswith("tcp://127.0.0.1:") for addr in workers)  # loopback only
            pids = [p.pid for p in running.processes]
            pids += [c.pid for p in pids for c in psutil.Process(p).children(recursive=True)]
        raise ZeroDivisionError  # the test body fails: the cluster must still be stopped
    assert len(pids) >= 5  # scheduler, 2 nannies, 2 worker processes
    assert not [p for p in pids if alive(p)]
    assert (tmp_path / "c" / "worker-0").is_dir() and (
        tmp_path / "c" / "worker-1"
    ).is_dir()  # own scratch


def test_01_on_the_cli_cluster(run_notebook, cluster):
    results = run_notebook("01", scheduler_address=cluster.scheduler_address, n_workers=2)
    assert results["n_workers"] == 2 and results["sum_of_squares"] == sum(i * i for i in range(60))
    assert results["max_workers_seen_adapting"] is None  # not ours to resize


def test_02_on_the_cli_cluster_reading_over_http(run_notebook, cluster, data_url):
    results = run_notebook(
        "02",
        scheduler_address=cluster.scheduler_address,
        n_workers=2,
        data_path=f"{data_url}/yellow_tripdata_2017_sample.csv",
    )
    assert results["rows"] == 22_699
    assert results["vendor_counts"] == {"1": 10_073, "2": 12_626}
    assert results["clean_rows"] == 22_533 and results["corr_one_pass_max_diff"] < 1e-9


def test_03_on_the_cli_cluster(run_notebook, cluster):
    results = run_notebook(
        "03",
        scheduler_address=cluster.scheduler_address,
        n_workers=2,
        methods=["sequential", "joblib-dask-seq", "dask-ml"],
    )
    assert results["exhaustive_agree"]
    table = {row["method"]: row for row in results["table"]}
    assert table["dask-ml"]["tasks"] < 2 * table["dask-ml"]["fits"]


def test_04_on_the_cli_cluster_reading_over_http(run_notebook, cluster, data_url):
    results = run_notebook(
        "04",
        scheduler_address=cluster.scheduler_address,
        n_workers=2,
        data_source=f"{data_url}/reviews.csv",
        search_methods=["dask-ml"],
        xgb_n_estimators=30,
    )
    assert results["n_reviews"] == 6_459
    assert results["quality"]["linear (SGD), Dask"]["roc_auc"] >= 0.90
    assert results["search"]["dask-ml"]["failed"] == 0


def test_05_on_the_cli_cluster(run_notebook, cluster, tmp_path):
    results = run_notebook(
        "05",
        scheduler_address=cluster.scheduler_address,
        n_workers=2,
        export_path=str(tmp_path / "best.py"),
    )
    assert results["best_test_accuracy"] > results["baseline"]["trivial"] + 0.5
    assert results["config_restored"] and results["client_works"]
    assert len(results["tasks_per_worker"]) == 2


# --- worker loss ------------------------------------------------------------------------


def _kill_one_worker_when(client, cluster, ready, timeout=60):
    """SIGKILL one worker process (its nanny starts a new one) once ready() is true."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, "the computation never got going"
        time.sleep(0.05)
    address, pid = sorted(cluster.worker_pids(client).items())[0]
    os.kill(pid, signal.SIGKILL)
    return address


def test_worker_killed_during_a_persisted_eda_loses_nothing(tmp_path):
    import dask.dataframe as dd
    from dask.distributed import Client, futures_of

    from coursekit.data import TAXI_COLUMNS, TAXI_DTYPES, sample_path

    path = str(sample_path("taxi"))
    expected = pd.read_csv(path, usecols=TAXI_COLUMNS, dtype=TAXI_DTYPES)
    with (
        cli_cluster(tmp_path / "c", n_workers=3) as running,
        Client(running.scheduler_address, timeout="20s") as client,
    ):
        client.wait_for_workers(3, timeout=60)
        df = dd.read_csv(path, usecols=TAXI_COLUMNS, dtype=TAXI_DTYPES, blocksize="100KB")

        def slow_copy(
            part,
        ):  # local, so it travels by value to workers that cannot import the tests
            time.sleep(0.4)  # long enough to kill a worker in the middle
            return part

        df = df.map_partitions(slow_copy, meta=df._meta).persist()
        futures = futures_of(df)
        assert len(futures) > 12

        def some_done():
            assert not [f for f in futures if f.status == "error"], futures[0].exception()
            return sum(f.status == "finished" for f in futures) >= 4

        _kill_one_worker_when(client, running, some_done)
        got = dict(
            rows=len(df),
            vendors=df.VendorID.value_counts().compute().sort_index().to_dict(),
            fare=round(float(df.fare_amount.sum().compute()), 2),
            tips=round(float(df.tip_amount.sum().compute()), 2),
        )
        workers_at_end = client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.workers))
    assert got == dict(
        rows=22_699,
        vendors={1: 10_073, 2: 12_626},
        fare=round(float(expected.fare_amount.sum()), 2),
        tips=round(float(expected.tip_amount.sum()), 2),
    )
    assert (
        workers_at_end >= 2
    )  # the computation carried on with the workers left (and the restarted one)


def test_worker_killed_during_a_search_gives_the_undisturbed_result(tmp_path):
    import dask_ml.model_selection as dcv
    from dask.distributed import Client
    from sklearn.datasets import load_digits
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import GridSearchCV

    X, y = load_digits(return_X_y=True)
    forest = RandomForestClassifier(n_estimators=10, random_state=0)
    grid = {"max_depth": [3, 6, None], "max_features": [1, 10], "criterion": ["gini", "entropy"]}
    undisturbed = GridSearchCV(forest, grid, cv=3).fit(X, y)
    with (
        cli_cluster(tmp_path / "c", n_workers=3) as running,
        Client(running.scheduler_address, timeout="20s") as client,
    ):
        client.wait_for_workers(3, timeout=60)
        search = dcv.GridSearchCV(forest, grid, cv=3, iid=False, scheduler=client)
        fitting = threading.Thread(target=search.fit, args=(X, y))
        fitting.start()

        def some_fits_done():
            done = client.run_on_scheduler(
                lambda dask_scheduler: sum(
                    ts.state == "memory" for ts in dask_scheduler.tasks.values()
                )
            )
            return done >= 8

        _kill_one_worker_when(client, running, some_fits_done)
        fitting.join(timeout=300)
        assert not fitting.is_alive()
    assert search.best_params_ == undisturbed.best_params_
    assert search.best_score_ == pytest.approx(undisturbed.best_score_, abs=1e-12)


# --- TLS -------------------------------------------------------------------------------


def test_01_on_a_tls_secured_cluster(run_notebook, tmp_path, monkeypatch):
    from dask.distributed import Client

    tls = make_tls_files(tmp_path / "tls")
    with cli_cluster(tmp_path / "c", n_workers=2, tls=tls) as running:
        assert running.scheduler_address.startswith("tls://127.0.0.1:")
        # without certificates a client cannot join
        with pytest.raises((OSError, TypeError, ValueError)):
            Client(running.scheduler_address, timeout="3s")
        # the notebook needs no change: Dask's configuration gives every client the certificates
        monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TLS__CA_FILE", str(tls["ca"]))
        monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT", str(tls["client_cert"]))
        monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY", str(tls["client_key"]))
        results = run_notebook("01", scheduler_address=running.scheduler_address, n_workers=2)
    assert results["n_workers"] == 2 and results["sum_of_squares"] == sum(i * i for i in range(60))
