"""Every notebook follows the output rule and skeleton, and runs in the ci profile with the
facts it must compute. (nbval, configured in pyproject.toml, runs them with their defaults.)"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from coursekit.runner import SeriesFailed

from coursekit.notebooks import problems
from coursekit.params import notebooks

from .conftest import notebook_path

NOTEBOOKS = notebooks()


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_follows_output_rule_and_skeleton(nb):
    assert problems(nb) == []


def test_nbstripout_would_change_nothing():
    done = subprocess.run([sys.executable, "-m", "nbstripout", "--verify", "--keep-count", *map(str, NOTEBOOKS)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_01_ci_profile(run_notebook):
    results = run_notebook("01")
    n = 60  # profiles/ci.yml
    assert results["n_workers"] == 2 and results["total_threads"] == 2
    assert results["sum_of_squares"] == sum(i * i for i in range(n))
    assert results["even_cube_sum"] == sum(i**3 for i in range(0, n, 2))
    assert results["max_workers_seen_adapting"] >= 2
    assert results["workers_see_local_files"] == 2
    assert 0 < results["persist_returned_after_s"] and 0 < results["compute_twice_s"]


@pytest.mark.slow
def test_01_joins_an_existing_cluster_by_parameter_and_by_environment(run_notebook, monkeypatch):
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=3, threads_per_worker=1, host="127.0.0.1", dashboard_address=":0",
                      memory_limit="500MiB") as cluster:
        results = run_notebook("01", scheduler_address=cluster.scheduler_address, n_workers=3)
        assert results["n_workers"] == 3
        assert results["max_workers_seen_adapting"] is None  # not ours to resize
        assert len(cluster.scheduler_info["workers"]) == 3  # still running after the notebook
        monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", cluster.scheduler_address)
        assert run_notebook("01", n_workers=3)["n_workers"] == 3


@pytest.mark.slow
@pytest.mark.parametrize("address, message", [
    ("tcp://127.0.0.1:9", r"Timed out trying to connect to tcp://127.0.0.1:9 after 3 s"),
    ("not a scheduler", r"not a scheduler"),
])
def test_01_bad_scheduler_address_fails_fast_naming_it(run_notebook, address, message):
    start = time.monotonic()
    with pytest.raises(SeriesFailed, match=message):
        run_notebook("01", scheduler_address=address, connect_timeout="3s")
    assert time.monotonic() - start < 60


def test_notebook_paths_resolve():
    assert notebook_path("01").name == "01-connecting-to-a-dask-cluster.ipynb"


@pytest.mark.slow
def test_02_ci_profile_facts_of_the_sample(run_notebook):
    results = run_notebook("02")
    assert results["rows"] == 22_699
    assert results["vendor_counts"] == {"1": 10_073, "2": 12_626}
    assert results["missing_values"] == 0
    assert results["fare_distance_corr"] > 0.5
    assert results["negative_fares"] == 14 and results["ratecode_99"] == 1
    assert results["clean_rows"] == 22_533
    assert results["corr_one_pass_max_diff"] < 1e-9
    assert results["summary_one_pass_max_diff"] < 1e-9
    assert results["jfk_mean_fare"] == pytest.approx(45.97, abs=0.005)  # zone 132, cleaned sample
    assert results["shuffle_records_after_silencing"] == 0
    assert all(t > 0 for t in results["describe_parts_s"].values())
    timings = {t["data"]: t for t in results["timings"]}
    assert set(timings) == {"sample (CSV)", "generated (Parquet)"}
    assert timings["generated (Parquet)"]["rows"] == results["generated_rows"] == 100_000
    for t in timings.values():  # the speedup column is computed from measured times
        assert t["pandas_s"] > 0 and t["dask_s"] > 0
        assert t["dask_speedup"] == pytest.approx(t["pandas_s"] / t["dask_s"])


@pytest.mark.slow
def test_02_generated_data_reaches_the_notebook(run_notebook):
    results = run_notebook("02", data_source="generated", generated_rows=60_000, rows_per_file=20_000)
    assert results["rows"] == 60_000
    assert results["partitions"] == 3  # one per generated file
    assert results["corr_one_pass_max_diff"] < 1e-9


@pytest.mark.slow
def test_02_unknown_data_source_is_one_clear_error(run_notebook):
    with pytest.raises(SeriesFailed, match=r"data_source must be 'sample', 'generated' or 'full', not 'fulll'"):
        run_notebook("02", data_source="fulll")


@pytest.mark.slow
def test_03_ci_profile_methods_agree_and_times_are_measured(run_notebook):
    results = run_notebook("03")
    assert results["grid"] == "reduced" and results["n_candidates"] == 16 and results["cv"] == 3
    table = {row["method"]: row for row in results["table"]}
    assert set(table) == {"sequential", "loky", "joblib-dask", "joblib-dask-seq", "dask-ml", "halving"}
    assert results["exhaustive_agree"]
    exhaustive = [table[m] for m in ["sequential", "loky", "joblib-dask", "joblib-dask-seq", "dask-ml"]]
    assert len({str(row["best_params"]) for row in exhaustive}) == 1
    scores = [row["best_score"] for row in exhaustive]
    assert max(scores) - min(scores) < 1e-9  # the same, up to the order of summing fold scores
    for row in table.values():
        assert row["wall_s"] > 0
        assert row["speedup"] == pytest.approx(table["sequential"]["wall_s"] / row["wall_s"])
        assert row["best_score"] > 0.85 and row["test_accuracy"] > 0.85
    # the cause the notebook teaches: nested joblib calls fan out into many more tasks than fits
    assert table["joblib-dask"]["tasks"] > 3 * table["joblib-dask"]["fits"]
    assert table["dask-ml"]["tasks"] < 2 * table["dask-ml"]["fits"]
    assert table["joblib-dask-seq"]["tasks"] <= table["joblib-dask-seq"]["fits"]  # the fix: a task per fit at most
    assert table["sequential"]["tasks"] == 0 and table["loky"]["tasks"] == 0
    assert results["randomized_best_score"] > 0.5


@pytest.mark.slow
def test_03_unknown_method_is_one_clear_error(run_notebook):
    with pytest.raises(SeriesFailed, match=r"unknown methods \['spark'\]"):
        run_notebook("03", methods=["dask-ml", "spark"])
