"""The benchmark entry point runs and reports every step (figures are not asserted: a shared
machine is too noisy for timed tests)."""

from __future__ import annotations

import json

import pytest

from benchmarks.__main__ import main


@pytest.mark.slow
def test_eda_benchmark_reports_every_step(tmp_path, capsys):
    out = tmp_path / "eda.json"
    assert main(["eda", "--rows", "30000", "--workers", "1", "2", "--rows-per-file", "10000",
                 "--memory-limit", "1GiB", "--data-dir", str(tmp_path / "data"), "--json", str(out)]) == 0
    results = json.loads(out.read_text())
    assert results["rows"] == 30_000 and results["machine"]["cpu_count"] >= 1
    assert [d["workers"] for d in results["dask"]] == [1, 2]
    for d in results["dask"]:
        for step in ["persist", "describe", "groupby", "isna", "corr", "five_reductions", "quartiles",
                     "corr_one_pass", "summary_one_pass"]:
            assert d[f"{step}_s"] > 0
        assert d["corr_one_pass_max_diff"] < 1e-9  # same matrix as pandas
        assert d["summary_one_pass_max_rel_diff"] < 1e-9  # same statistics as pandas describe
    printed = capsys.readouterr().out
    assert "SUITE" in printed and "ideal" in printed


@pytest.mark.slow
def test_grid_benchmark_reports_every_method(tmp_path, capsys):
    out = tmp_path / "grid.json"
    assert main(["grid", "--grid", "reduced", "--cv", "2", "--n-estimators", "5", "--workers", "2",
                 "--json", str(out)]) == 0
    results = json.loads(out.read_text())
    assert results["fits"] == 32
    assert [r["method"] for r in results["rows"]] == ["sequential", "loky", "joblib-dask", "joblib-dask-seq",
                                                      "joblib-dask-seq-scatter", "dask-ml"]
    tasks = {r["method"]: r["tasks"] for r in results["rows"]}
    assert tasks["joblib-dask-seq"] <= 32 < tasks["joblib-dask"]  # at most a task per fit, vs many
    assert tasks["joblib-dask-seq-scatter"] <= 32 + 2  # plus the scattered X and y
    assert all(r["wall_s"] > 0 for r in results["rows"])
    assert len({r["best_params"] for r in results["rows"]}) == 1
    printed = capsys.readouterr().out
    assert "same best params and score in every method: True" in printed


@pytest.mark.slow
def test_reviews_benchmark_reports_every_step_and_size(tmp_path, capsys):
    out = tmp_path / "reviews.json"
    assert main(["reviews", "--reviews", "1000", "3000", "--workers", "1", "2", "--n-estimators", "5",
                 "--memory-limit", "1GiB", "--json", str(out)]) == 0
    results = json.loads(out.read_text())
    assert [r["reviews"] for r in results["runs"]] == [1000, 3000]
    for run in results["runs"]:
        assert [d["workers"] for d in run["dask"]] == [1, 2]
        for timing in [run["one_machine"], *run["dask"]]:
            assert all(timing[key] > 0 for key in ["vectorize_s", "xgboost_s", "sgd_epoch_s"])
    printed = capsys.readouterr().out
    assert "reviews/s" in printed and "x one machine" in printed
    assert printed.count("vectorize:") == 1 and "XGBoost:" in printed  # a cross-over line per step


def test_resampled_reviews_keep_the_real_texts():
    from benchmarks.reviews import resampled_reviews
    from coursekit.data import load_reviews

    frame = resampled_reviews(500, seed=1)
    assert len(frame) == 500 and set(frame.positive.unique()) <= {0, 1}
    real = load_reviews()
    assert set(frame.review) <= set(real.title + ". " + real.text)
    assert frame.equals(resampled_reviews(500, seed=1))  # seeded


@pytest.mark.slow
def test_tpot_benchmark_reports_every_worker_count(tmp_path, capsys):
    out = tmp_path / "tpot.json"
    assert main(["tpot", "--generations", "2", "--population-size", "4", "--cv", "2", "--workers", "1", "2",
                 "--memory-limit", "1GiB", "--json", str(out)]) == 0
    results = json.loads(out.read_text())
    assert [r["workers"] for r in results["rows"]] == [1, 2]
    assert all(r["wall_s"] > 0 and r["evaluations"] == 8 for r in results["rows"])
    printed = capsys.readouterr().out
    assert "evals/min" in printed and "same best pipeline at every worker count: True" in printed


def test_grid_report_gives_parallel_efficiency_per_method():
    from benchmarks.grid import report

    row = dict(tasks=0, best_score=0.9, best_params="{}")
    results = {"grid": "seed", "fits": 720, "cv": 3, "n_estimators": 20, "rows": [
        {**row, "method": "loky", "workers": 1, "wall_s": 100.0},
        {**row, "method": "dask-ml", "workers": 1, "wall_s": 110.0},
        {**row, "method": "loky", "workers": 2, "wall_s": 55.0},
        {**row, "method": "dask-ml", "workers": 2, "wall_s": 50.0},
    ]}
    text = report(results)
    assert "dask-ml: 2 workers 2.20x the 1-worker speed (parallel efficiency 1.10)" in text
    assert "loky: 2 workers 1.82x the 1-worker speed (parallel efficiency 0.91)" in text
