"""The benchmark entry point: ``all --quick`` measures every workload at every worker count,
plots come from stored result files, and the generated report matches the result files
(figures are not asserted: a shared machine is too noisy for timed tests)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks.__main__ import main

RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results"


@pytest.mark.slow
def test_quick_mode_measures_every_workload_at_every_worker_count(tmp_path, capsys):
    out = tmp_path / "quick.json"
    assert main(["all", "--quick", "--workers", "1", "2", "--json", str(out)]) == 0
    document = json.loads(out.read_text())
    assert document["machine"]["cpu_count"] >= 1 and document["command"].startswith(
        "python -m benchmarks all"
    )
    workloads = document["workloads"]
    assert set(workloads) == {"eda", "grid", "reviews", "tpot"}
    eda = workloads["eda"]
    assert [d["workers"] for d in eda["dask"]] == [1, 2] and eda["rows"] == 200_000
    for d in eda["dask"]:
        assert all(
            d[f"{step}_s"] > 0
            for step in [
                "persist",
                "describe",
                "groupby",
                "isna",
                "corr",
                "five_reductions",
                "quartiles",
                "corr_one_pass",
                "summary_one_pass",
            ]
        )
        assert (
            d["corr_one_pass_max_diff"] < 1e-9 and d["summary_one_pass_max_rel_diff"] < 1e-9
        )  # same as pandas
        assert d["suite_busy_s"] > 0
    assert all(v > 0 for v in eda["pandas"].values())
    grid = workloads["grid"]
    by_method = {}
    for r in grid["rows"]:
        by_method.setdefault(r["method"], []).append(r["workers"])
        assert r["wall_s"] > 0
    assert by_method.pop("sequential") == [1] and all(w == [1, 2] for w in by_method.values())
    assert len({r["best_params"] for r in grid["rows"]}) == 1  # every method, the same best model
    tasks = {r["method"]: r["tasks"] for r in grid["rows"] if r["workers"] == 2}
    assert grid["fits"] == 32  # the reduced grid's 16 candidates x cv 2
    assert (
        tasks["joblib-dask-seq"] <= grid["fits"] < tasks["joblib-dask"]
    )  # a task per fit at most, vs many
    assert tasks["joblib-dask-seq-scatter"] <= grid["fits"] + 2  # plus the scattered X and y
    reviews = workloads["reviews"]
    for run in reviews["runs"]:
        assert [d["workers"] for d in run["dask"]] == [1, 2]
        for timing in [run["one_machine"], *run["dask"]]:
            assert all(timing[k] > 0 for k in ["vectorize_s", "xgboost_s", "sgd_epoch_s"])
    tpot = workloads["tpot"]
    assert [r["workers"] for r in tpot["rows"]] == [1, 2]
    assert all(r["wall_s"] > 0 and r["evaluations"] == 8 for r in tpot["rows"])
    assert tpot["single_machine"]["wall_s"] > 0 and tpot["single_machine"]["n_jobs"] == 2
    printed = capsys.readouterr().out
    for heading in [
        "eda:",
        "grid:",
        "reviews:",
        "tpot:",
        "x single machine",
        "target:",
        "cross-over",
    ]:
        assert heading in printed
    pngs = main(["plot", str(out), "--out", str(tmp_path / "plots")])
    assert pngs == 0
    # a speedup plot per workload, and where the grid search's time went (its tasks are recorded)
    assert sorted(p.name.split("quick-")[1] for p in (tmp_path / "plots").glob("*.png")) == [
        "eda.png",
        "grid-time.png",
        "grid.png",
        "reviews.png",
        "tpot-time.png",
        "tpot.png",
    ]
    dask_ml = [r for r in grid["rows"] if r["method"] == "dask-ml"]
    for r in dask_ml:  # one row per computation: together, the busy time
        assert sum(x[3] - x[2] for x in r["records"]) == pytest.approx(r["busy_s"], abs=1e-3)
    assert "model check: dask-ml at 2 workers predicted" in printed


def test_plots_from_a_stored_result_file(tmp_path):
    from benchmarks.plots import plot_file

    written = plot_file(RESULTS / "grid-seed-cv3-16-cores-2026-11-22.json", tmp_path)
    assert [p.name for p in written] == ["grid-seed-cv3-16-cores-2026-11-22-grid.png"]
    assert (
        written[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and written[0].stat().st_size > 10_000
    )
    # a file measured at one worker count has nothing to plot
    assert plot_file(RESULTS / "grid-seed-cv8-2-cores-2026-11-22.json", tmp_path) == []


def test_report_and_readme_section_are_what_the_result_files_give(capsys):
    assert main(["report", "--check"]) == 0, capsys.readouterr().out


def test_report_check_fails_when_a_result_file_changes(tmp_path, monkeypatch, capsys):
    from benchmarks import report

    results = tmp_path / "results"
    shutil.copytree(RESULTS, results)
    document = json.loads((results / "tpot-2-cores-2026-11-22.json").read_text())
    document["rows"][1]["wall_s"] *= 2
    (results / "tpot-2-cores-2026-11-22.json").write_text(json.dumps(document))
    monkeypatch.setattr(report, "RESULTS", results)
    assert main(["report", "--check"]) == 1
    assert "REPORT.md is not what the result files give" in capsys.readouterr().out


def test_a_run_cut_off_keeps_every_worker_count_that_finished(tmp_path, monkeypatch):
    """A per-call time limit or Ctrl-C at the second worker count: the result file already holds
    the first, says it is partial, and the report says so."""
    from contextlib import contextmanager

    from benchmarks import harness
    from benchmarks.render import markdown

    @contextmanager
    def cut_off_at_two(n, *args, **kwargs):  # loky runs before the cluster starts: no client needed
        if n == 2:
            raise KeyboardInterrupt
        yield None, n, n

    monkeypatch.setattr(harness, "cluster_client", cut_off_at_two)
    out = tmp_path / "grid.json"
    with pytest.raises(KeyboardInterrupt):
        main(
            [
                "grid",
                "--grid",
                "reduced",
                "--cv",
                "2",
                "--n-estimators",
                "2",
                "--methods",
                "loky",
                "--workers",
                "1",
                "2",
                "--json",
                str(out),
            ]
        )
    document = json.loads(out.read_text())
    assert [(r["method"], r["workers"]) for r in document["rows"]] == [
        ("loky", 1)
    ]  # 2 did not finish
    assert "had not finished" in document["partial"] and document["machine"]["cpu_count"] >= 1
    assert "--json" not in document["command"] and not list(tmp_path.glob("*.tmp"))
    assert "**Partial**: the run had not finished" in markdown(out, document, {})


def test_targets_say_by_how_much_and_why():
    from benchmarks.grid import targets
    from benchmarks.metrics import verdict

    row = dict(tasks=100, best_score=0.9, best_params="{}")
    results = {
        "grid": "seed",
        "fits": 720,
        "cv": 3,
        "n_estimators": 20,
        "rows": [
            {**row, "method": "loky", "workers": 1, "wall_s": 100.0},
            {
                **row,
                "method": "dask-ml",
                "workers": 1,
                "wall_s": 110.0,
                "busy_s": 100.0,
                "longest_task_s": 1.0,
            },
            {**row, "method": "loky", "workers": 16, "wall_s": 10.0},
            {
                **row,
                "method": "dask-ml",
                "workers": 16,
                "wall_s": 11.0,
                "busy_s": 88.0,
                "longest_task_s": 1.0,
            },
        ],
    }
    vs_loky, efficiency = targets(results)
    assert (
        vs_loky["measured"] == pytest.approx(1.1) and vs_loky["limit"] == 0.9
    )  # 16 workers: the 0.9 target
    assert verdict(vs_loky) == "missed by 0.200 (22.2%)"
    assert "100 ms more per task" in vs_loky["why"] and "50% busy" in vs_loky["why"]
    assert efficiency["measured"] == pytest.approx(10 / 16)
    assert "busy share 91% at 1 worker(s), 50% at 16" in efficiency["why"]
    assert verdict({**efficiency, "measured": 0.85}) == "met"


def test_worker_counts_double_up_to_the_core_count():
    from benchmarks.harness import worker_counts

    assert worker_counts(1) == [1] and worker_counts(2) == [1, 2]
    assert worker_counts(16) == [1, 2, 4, 8, 16] and worker_counts(12) == [1, 2, 4, 8, 12]


def test_resampled_reviews_keep_the_real_texts():
    from benchmarks.reviews import resampled_reviews
    from coursekit.data import load_reviews

    frame = resampled_reviews(500, seed=1)
    assert len(frame) == 500 and set(frame.positive.unique()) <= {0, 1}
    real = load_reviews()
    assert set(frame.review) <= set(real.title + ". " + real.text)
    assert frame.equals(resampled_reviews(500, seed=1))  # seeded


def test_benchmarks_measure_the_notebooks_own_code():
    """One source: the benchmarks run the code of the notebooks' cells tagged `workload`; no copy
    of it lives in benchmarks/ (copies had drifted apart before)."""
    import dask.dataframe as dd
    import numpy as np
    import pandas as pd

    from benchmarks import eda, grid, tpot_search
    from benchmarks.notebook_code import load
    from coursekit import REPO_ROOT

    assert eda.corr_one_pass.__code__.co_filename.endswith("02-nyc-taxi-eda.ipynb")
    assert eda.summary_one_pass.__code__.co_filename.endswith("02-nyc-taxi-eda.ipynb")
    assert grid.SequentialTreesForest.__module__ == "notebook_03"
    assert set(grid.GRIDS) == {"seed", "reduced"}
    assert tpot_search.light_space.__code__.co_filename.endswith("05-tpot-pipeline-search.ipynb")
    source = "\n".join(p.read_text() for p in (REPO_ROOT / "benchmarks").glob("*.py"))
    for copy in [
        "def partition_moments",
        "def corr_one_pass",
        "class SequentialTreesForest",
        '"max_depth": [3,',
        "def light_space",
        '"GaussianNB"',
    ]:
        assert copy not in source, copy
    # the notebook's functions compute what pandas does
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(500, 3)), columns=["a", "b", "c"]).assign(
        c=lambda f: f.a + 0.1 * f.c
    )
    parts = dd.from_pandas(frame, npartitions=4)
    np.testing.assert_allclose(eda.corr_one_pass(parts), frame.corr(), atol=1e-12)
    stats, corr = eda.summary_one_pass(parts)
    np.testing.assert_allclose(stats["std"], frame.std(), rtol=1e-12)
    with pytest.raises(ValueError, match="NaN-free"):  # the notebook's refusal, not a silent NaN
        eda.corr_one_pass(dd.from_pandas(frame.assign(a=[np.nan] + [1.0] * 499), npartitions=2))
    with pytest.raises(LookupError, match="define no not_there"):
        load("02", ["corr_one_pass", "not_there"])


def test_the_registry_is_the_one_list_of_workloads():
    """Each workload module declares its name, options, profiles, run and report pieces; the
    entry point, ``all``, the report's introduction and the plots read them from the registry."""
    import inspect

    from benchmarks import report
    from benchmarks.__main__ import _options, _parser
    from benchmarks.registry import WORKLOADS

    parser = _parser()
    assert set(WORKLOADS) == {"eda", "grid", "reviews", "tpot"}
    for name, workload in WORKLOADS.items():
        assert workload.NAME == name
        options = _options(parser.parse_args([name]))  # its subcommand, with its own defaults
        for size in ["quick", "full"]:
            assert set(workload.SIZES[size]) <= set(options), (name, size)
        keywords = set(inspect.signature(workload.run).parameters) - {
            "workers",
            "scheduler_address",
            "checkpoint",
            "single_machine",
        }
        assert keywords == set(options), name  # run takes exactly its subcommand's options
        for piece in ["title", "measurements", "notes", "targets"]:
            assert callable(getattr(workload, piece))
        assert f"{workload.SINGLE_MACHINE} for `{name}`" in report.INTRO


def test_a_remote_cluster_is_measured_once_so_a_list_of_worker_counts_is_refused(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["grid", "--scheduler-address", "tcp://127.0.0.1:8786", "--workers", "1", "2"])
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert "with --scheduler-address the benchmark measures the existing cluster once" in error


def test_the_time_breakdown_adds_up_to_the_wall_time():
    from benchmarks.metrics import breakdown

    # 2 workers; worker 0: a slow first task (warm-up), then two; worker 1: one task, then idle
    records = [
        ["fit", 0, 0.5, 2.5, 0.0],  # 2 s: 1 s of warm-up beyond the median of 1 s
        ["fit", 0, 2.6, 3.6, 0.1],
        ["fit", 0, 3.7, 4.7, 0.0],
        ["fit", 1, 0.6, 1.6, 0.0],
    ]
    parts = breakdown(5.0, 2, records)
    assert sum(parts.values()) == pytest.approx(5.0)
    assert parts["before"] == pytest.approx(0.5) and parts["after"] == pytest.approx(0.3)
    assert parts["warmup"] == pytest.approx(1.0 / 2)
    assert parts["compute"] == pytest.approx((5.0 - 1.0) / 2)
    assert parts["tail"] == pytest.approx((4.7 - 1.6) / 2)  # worker 1 idle from 1.6 s to the end
    assert breakdown(1.0, 1, []) is None


def test_the_scheduling_model_predicts_more_workers_from_one_run():
    from benchmarks import model

    # one worker: 8 fits of 1 s, each 0.1 s apart, then 2 scores that waited for every fit
    records, t = [], 0.2
    for _ in range(8):
        records.append(["fit", 0, t, t + 1.0, 0.0])
        t += 1.1
    for _ in range(2):
        records.append(["score", 0, t, t + 0.5, 0.0])
        t += 0.6
    wall = t + 0.3
    fitted = model.inputs(wall, 1, records)
    assert fitted["barriers"] == ["score"]
    assert fitted["overhead_per_task_s"] == pytest.approx(0.9 / 10)  # 9 gaps of 0.1 s, 10 tasks
    one = model.simulate(fitted, 1)
    assert one["wall_s"] == pytest.approx(wall, abs=0.11)  # it reproduces its own run
    two = model.simulate(fitted, 2)
    # fits in 4 rounds of 1.09 s, then the two scores side by side: 0.2 + 4.36 + 0.59 + after
    assert two["wall_s"] == pytest.approx(0.2 + 4 * 1.09 + 0.59 + (wall - records[-1][3]))
    huge = model.simulate(fitted, 64)
    assert huge["limit"] == "the longest task" and huge["wall_s"] < two["wall_s"]
    check = model.validate(wall, 1, records, {"threads": 2, "wall_s": two["wall_s"] * 1.1})
    assert check["error"] == pytest.approx(1 / 1.1 - 1)
