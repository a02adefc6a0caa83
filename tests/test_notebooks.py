"""Every notebook follows the output rule and skeleton, and runs in the ci profile with the
facts it must compute. (nbval, configured in pyproject.toml, runs them with their defaults.)"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from coursekit.rules import problems
from coursekit.runner import SeriesFailed
from coursekit.series import notebooks

from .conftest import notebook_path

NOTEBOOKS = notebooks()


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_follows_output_rule_and_skeleton(nb):
    assert problems(nb) == []


def test_nbstripout_would_change_nothing():
    done = subprocess.run(
        [sys.executable, "-m", "nbstripout", "--verify", *map(str, NOTEBOOKS)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_01_ci_profile(ci_series):
    results = ci_series["01"]
    n = 60  # profiles/ci.yml
    assert results["n_workers"] == 2 and results["total_threads"] == 2
    assert results["sum_of_squares"] == sum(i * i for i in range(n))
    assert results["even_cube_sum"] == sum(i**3 for i in range(0, n, 2))  # exercise 1's solution
    assert results["chunks_held"] == 16  # exercise 2: the 4 x 4 chunks of the persisted array
    assert (
        results["max_workers_seen_adapting"] == 3
    )  # adapt() grew the cluster to scale_to for the burst
    assert results["workers_see_local_files"] == 2
    assert 0 < results["persist_returned_after_s"] and 0 < results["compute_twice_s"]
    loss = results[
        "worker_loss"
    ]  # a worker killed mid-computation: nothing lost, a replacement started
    assert loss["victim_gone"] and loss["total_correct"] and loss["replacements"] >= 1


@pytest.mark.slow
def test_01_joins_an_existing_cluster_by_parameter_and_by_environment(run_notebook, monkeypatch):
    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=3,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=":0",
        memory_limit="500MiB",
    ) as cluster:
        results = run_notebook("01", scheduler_address=cluster.scheduler_address, n_workers=3)
        assert results["n_workers"] == 3
        assert results["max_workers_seen_adapting"] is None  # not ours to resize
        assert len(cluster.scheduler_info["workers"]) == 3  # still running after the notebook
        monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", cluster.scheduler_address)
        assert run_notebook("01", n_workers=3)["n_workers"] == 3


@pytest.mark.slow
@pytest.mark.parametrize(
    "address, message",
    [
        ("tcp://127.0.0.1:9", r"Timed out trying to connect to tcp://127.0.0.1:9 after 3 s"),
        ("not a scheduler", r"not a scheduler"),
    ],
)
def test_01_bad_scheduler_address_fails_fast_naming_it(run_notebook, address, message):
    start = time.monotonic()
    with pytest.raises(SeriesFailed, match=message):
        run_notebook("01", scheduler_address=address, connect_timeout="3s")
    assert time.monotonic() - start < 60


@pytest.mark.slow
def test_01_scale_to_not_above_n_workers_fails_before_a_cluster_starts(run_notebook):
    with pytest.raises(
        SeriesFailed, match=r"ValueError: scale_to \(2\) must be more than n_workers \(2\)"
    ):
        run_notebook("01", scale_to=2)


def test_notebook_paths_resolve():
    assert notebook_path("01").name == "01-connecting-to-a-dask-cluster.ipynb"


@pytest.mark.slow
def test_02_ci_profile_facts_of_the_sample(ci_series):
    results = ci_series["02"]
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
    assert results["exercise_1"] == [
        33.96,
        3_244,
    ]  # longest trip (miles), trips with more than 2 passengers
    assert results["best_card_tip_hour"] == 5  # exercise 2, on the cleaned sample
    assert 2 < results["persisted_mib"] < 4  # memory_usage(deep=True) of the sample, as pandas
    assert all(t > 0 for t in results["describe_parts_s"].values())
    timings = {t["data"]: t for t in results["timings"]}
    assert set(timings) == {"sample (CSV)", "generated (Parquet)"}
    assert timings["generated (Parquet)"]["rows"] == results["generated_rows"] == 100_000
    for t in timings.values():  # the speedup column is computed from measured times
        assert t["pandas_s"] > 0 and t["dask_s"] > 0
        assert t["dask_speedup"] == pytest.approx(t["pandas_s"] / t["dask_s"])


@pytest.mark.slow
def test_02_generated_data_reaches_the_notebook(run_notebook):
    results = run_notebook(
        "02", data_source="generated", generated_rows=60_000, rows_per_file=20_000
    )
    assert results["rows"] == 60_000
    assert results["partitions"] == 3  # one per generated file
    assert results["corr_one_pass_max_diff"] < 1e-9


@pytest.mark.slow
def test_02_unknown_data_source_is_one_clear_error(run_notebook):
    with pytest.raises(
        SeriesFailed, match=r"data_source must be 'sample', 'generated' or 'full', not 'fulll'"
    ):
        run_notebook("02", data_source="fulll")


@pytest.mark.slow
def test_03_ci_profile_methods_agree_and_times_are_measured(ci_series):
    results = ci_series["03"]
    assert results["grid"] == "reduced" and results["n_candidates"] == 16 and results["cv"] == 3
    table = {row["method"]: row for row in results["table"]}
    assert set(table) == {
        "sequential",
        "loky",
        "joblib-dask",
        "joblib-dask-seq",
        "dask-ml",
        "halving",
    }
    assert results["exhaustive_agree"]
    exhaustive = [
        table[m] for m in ["sequential", "loky", "joblib-dask", "joblib-dask-seq", "dask-ml"]
    ]
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
    assert (
        table["joblib-dask-seq"]["tasks"] <= table["joblib-dask-seq"]["fits"]
    )  # the fix: a task per fit at most
    assert table["sequential"]["tasks"] == 0 and table["loky"]["tasks"] == 0
    # the workers' busy share: measured for the methods that ran on the cluster, none for the others
    for method in ["sequential", "loky"]:
        busy = table[method]["busy"]
        assert busy is None or busy != busy  # None, or NaN once in a table
    assert all(0 < table[m]["busy"] <= 1 for m in ["joblib-dask-seq", "dask-ml"])
    # joblib's nested calls: a task waiting for the tasks it started counts as computing meanwhile
    assert table["joblib-dask"]["busy"] > 0
    assert table["halving"]["tasks"] > 0  # on the cluster too, through joblib's Dask backend
    assert results["randomized_best_score"] > 0.5
    # exercise 1: one cross-validation by hand on a worker gives the score the first search reported
    assert results["exercise_1_score"] == pytest.approx(
        table["sequential"]["best_score"], abs=1e-12
    )


@pytest.mark.slow
def test_03_unknown_method_is_one_clear_error(run_notebook):
    with pytest.raises(SeriesFailed, match=r"unknown methods \['spark'\]"):
        run_notebook("03", methods=["dask-ml", "spark"])


@pytest.mark.slow
def test_04_ci_profile_scores_floors_and_measured_times(ci_series):
    results = ci_series["04"]
    assert results["n_reviews"] == 6_459 and results["n_train"] + results["n_test"] == 6_459
    assert results["n_train"] == 5_230  # seeded split of the shipped sample
    assert (
        results["distinct_terms"] == 23_898 and results["colliding_terms"] == 3_848
    )  # 2^16 buckets
    quality = results["quality"]
    assert set(quality) == {
        "XGBoost, one machine",
        "XGBoost, Dask",
        "linear (SGD), Dask",
        "TF-IDF + logistic, one machine",
    }
    for name, q in quality.items():
        assert q["predictions"] == results["n_test"], name
        assert q["accuracy"] > 0.7615 and q["roc_auc"] > 0.85, name  # as the notebook checks
        assert q["uci_roc_auc"] > 0.8, name  # out of domain, still far above chance
    assert (
        quality["linear (SGD), Dask"]["accuracy"] >= 0.80
        and quality["linear (SGD), Dask"]["roc_auc"] >= 0.90
    )
    assert quality["TF-IDF + logistic, one machine"]["accuracy"] >= 0.85
    assert results["bigram_roc_auc"] > 0.9
    assert results["refund_reviews"] == 32 and results["bigram_buckets"] == 62_583  # the exercises
    assert results["test_share"] == 1_229 / 6_459  # random per row: near test_size, not exactly it
    # both searches: same candidates and folds, so the same best parameters
    search = results["search"]
    assert set(search) == {"loky", "dask-ml"}
    assert search["loky"]["best_params"] == search["dask-ml"]["best_params"]
    assert search["loky"]["best_score"] == pytest.approx(search["dask-ml"]["best_score"], abs=1e-9)
    assert all(s["failed"] == 0 for s in search.values())
    # the comparison table has measured times for both paths
    measured = {(t["step"], t["where"]): t["seconds"] for t in results["timings"]}
    for step in ["vectorize", "train XGBoost"]:
        assert measured[(step, "one machine")] > 0 and measured[(step, "Dask cluster")] > 0
    assert (
        measured[("search", "one machine (loky)")] > 0
        and measured[("search", "Dask cluster (dask-ml)")] > 0
    )


def _reviews_csv(path, rows):
    """The shipped sample written in the full data's CSV shape (label,title,text; no header)."""
    import csv

    from coursekit.data import load_reviews

    frame = load_reviews().head(rows).astype(object)
    frame.to_csv(path, header=False, index=False, quoting=csv.QUOTE_ALL)
    return frame


@pytest.mark.slow
def test_04_reads_a_csv_in_the_full_data_shape(run_notebook, tmp_path):
    _reviews_csv(tmp_path / "reviews.csv", 2_000)
    results = run_notebook(
        "04",
        data_source=str(tmp_path / "reviews.csv"),
        csv_blocksize="200KiB",
        n_reviews=1_500,
        search_methods=[],
        xgb_n_estimators=20,
    )
    assert results["n_reviews"] == 1_500  # the first 1,500 of the file's 2,000
    assert results["search"] == {}
    assert results["quality"]["linear (SGD), Dask"]["roc_auc"] > 0.85


@pytest.mark.slow
@pytest.mark.parametrize(
    "row, message",
    [
        ({"label": 3}, r"reviews.csv, partition 0, row 7: label 3 is not one of \[1, 2\]"),
        ({"text": " "}, r"reviews.csv, partition 0, row 7: empty review text"),
    ],
)
def test_04_bad_review_in_a_csv_is_one_clear_error(run_notebook, tmp_path, row, message):
    import csv

    frame = _reviews_csv(tmp_path / "reviews.csv", 50)
    for column, value in row.items():
        frame.loc[7, column] = value
    frame.to_csv(tmp_path / "reviews.csv", header=False, index=False, quoting=csv.QUOTE_ALL)
    with pytest.raises(SeriesFailed, match=message):
        run_notebook("04", data_source=str(tmp_path / "reviews.csv"))


@pytest.mark.slow
def test_04_unknown_search_method_is_one_clear_error(run_notebook):
    with pytest.raises(SeriesFailed, match=r"unknown search_methods \['spark'\]"):
        run_notebook("04", search_methods=["spark"])


@pytest.mark.slow
def test_05_search_is_reproducible_beats_baselines_and_restores_dask_config(
    ci_series, run_notebook, tmp_path
):
    import dask

    before = {
        k: dask.config.get(k)
        for k in ["distributed.scheduler.worker-ttl", "distributed.scheduler.allowed-failures"]
    }
    # a second run, alone, after the first (run beside the other notebooks)
    runs = [ci_series["05"], run_notebook("05", export_path=str(tmp_path / "best_0.py"))]
    first, second = runs
    # same seed, budget in generations: the same search and the same pipeline
    assert first["best_pipeline"] == second["best_pipeline"]
    assert first["best_cv_per_generation"] == second["best_cv_per_generation"]
    assert first["evaluated"] == second["evaluated"] == 3 * 8  # profiles/ci.yml
    for results in runs:
        assert results["baseline"]["trivial"] < 0.15  # ten digits: chance is about 0.1
        assert results["best_test_accuracy"] > results["baseline"]["trivial"] + 0.5
        assert results["best_test_accuracy"] > 0.9
        assert results["exported_test_accuracy"] == results["best_test_accuracy"]
        assert results["tasks"] >= results["evaluated"] and len(results["tasks_per_worker"]) == 2
        assert results["config_changed_by_tpot"]["distributed.scheduler.allowed-failures"] == "1"
        assert results["config_restored"] and results["client_works"]
        assert (
            results["plain_cv_on_worker"] == results["plain_cv"]
        )  # exercise 1: the same CV, on a worker
        assert results["simplest_on_front"] >= 1 and 0 < results["busy_share"] <= 1
        # the barrier's share is idle time: it and the computing time fit in the wall time
        assert (
            0 <= results["barrier_share"] and results["busy_share"] + results["barrier_share"] <= 1
        )
        assert results["population_for_these_workers"] % 2 == 0  # a multiple of the 2 workers
    # the exported file is plain Python: import it elsewhere and refit
    namespace = {}
    exec((tmp_path / "best_0.py").read_text(), namespace)
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    assert namespace["pipeline"].fit(X[:1000], y[:1000]).score(X[1000:], y[1000:]) > 0.9
    assert {k: dask.config.get(k) for k in before} == before  # this test process is untouched


@pytest.mark.slow
def test_05_unknown_search_space_is_one_clear_error(run_notebook):
    with pytest.raises(SeriesFailed, match=r"search_space must be 'light' or one of"):
        run_notebook("05", search_space="huge")


def _local_cluster_calls(source: str):
    import ast

    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == "LocalCluster"
        ):
            yield {
                k.arg: ast.literal_eval(k.value)
                for k in node.keywords
                if k.arg in ("host", "dashboard_address")
            }


@pytest.mark.slow
def test_no_notebook_pauses_or_spills_a_worker(ci_series):
    """Every notebook fits its workers' memory_limit: no worker logged a pause, a spill or high
    unmanaged memory (a paused worker stalls the run; on Binder it looks like a hang)."""
    for prefix, results in sorted(ci_series.items()):
        assert results["worker_memory_warnings"] == [], prefix


def test_every_local_cluster_binds_to_loopback_on_a_random_port():
    """Security: a LocalCluster's scheduler and dashboard are reachable from this machine only,
    and no fixed port clashes with another run (notebooks and benchmarks alike)."""
    import nbformat

    from coursekit import REPO_ROOT

    sources = {
        nb.name: "\n".join(
            c.source
            for c in nbformat.read(nb, as_version=4).cells
            if c.cell_type == "code" and "%" not in c.source.split("\n")[0][:1]
        )
        for nb in NOTEBOOKS
    }
    sources.update({p.name: p.read_text() for p in (REPO_ROOT / "benchmarks").glob("*.py")})
    calls = {name: list(_local_cluster_calls(src)) for name, src in sources.items()}
    assert all(calls[nb.name] for nb in NOTEBOOKS)  # every notebook can start one
    for name, found in calls.items():
        for keywords in found:
            assert keywords == {"host": "127.0.0.1", "dashboard_address": "127.0.0.1:0"}, name


def _checked_outputs(path) -> list[str]:
    import nbformat

    from coursekit.rules import CHECK_TAG

    cells = nbformat.read(path, as_version=4).cells
    return [
        "".join(o.get("text", "") for o in c.get("outputs", []) if o.get("output_type") == "stream")
        for c in cells
        if c.cell_type == "code" and CHECK_TAG in c.get("metadata", {}).get("tags", [])
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    "prefix", ["02", "04", "05"]
)  # notebooks whose checked cells the ci profile leaves alone
def test_run_beside_the_others_gives_the_stored_checked_outputs(ci_series, prefix):
    """All five ran at the same time (ci_series): no port, file or scratch clash changed a fact."""
    assert _checked_outputs(ci_series[prefix]["_executed"]) == _checked_outputs(
        notebook_path(prefix)
    )


@pytest.mark.parametrize("stored, passes", [("2\n", True), ("3\n", False)])
def test_nbval_checks_stored_outputs_that_have_no_execution_count(stored, passes):
    """Checked cells are stored without counts (conftest.py hands nbval one): a wrong stored
    output must still fail, a right one pass."""
    import nbformat

    from coursekit import REPO_ROOT
    from coursekit.rules import CHECK_TAG

    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {
                "name": "python3",
                "language": "python",
                "display_name": "Python 3 (ipykernel)",
            }
        }
    )
    cell = nbformat.v4.new_code_cell(
        "print(1 + 1)", metadata={"tags": [CHECK_TAG], "keep_output": True}
    )
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored)]
    nb.cells = [cell]
    folder = REPO_ROOT / "runs" / "nbval-rule"  # inside the repository, so conftest.py applies
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"check-{passes}.ipynb"
    nbformat.write(nb, path)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", str(path)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        path.unlink()
    assert (done.returncode == 0) == passes, done.stdout[-2000:]
    assert ("1 passed" if passes else "Cell outputs differ") in done.stdout


def test_the_check_catches_pasted_figures_foreign_metadata_and_visible_solutions(tmp_path):
    import nbformat

    nb = nbformat.read(notebook_path("01"), as_version=4)
    nb.cells.insert(
        3,
        nbformat.v4.new_markdown_cell("dask-ml took 1.37× loky's time, 0.42 s in all, score 0.87"),
    )
    nb.metadata["jupytext"] = {"formats": "ipynb,py"}
    solution = next(c for c in nb.cells if "solution" in c.metadata.get("tags", []))
    solution.metadata["jupyter"]["source_hidden"] = False
    path = tmp_path / "01-copy.ipynb"
    nbformat.write(nb, path)
    found = "\n".join(problems(path))
    for figure in ["'1.37×'", "'0.42 s'", "'0.87'"]:
        assert f"measured-looking figure {figure}" in found
    assert "keep kernelspec and language_info only" in found
    assert "a solution must be hidden" in found
    assert problems(notebook_path("01")) == []  # the original is clean
