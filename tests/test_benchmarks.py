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
                "quartiles_one_pass",
                "fast_suite",
            ]
        )
        assert (
            d["corr_one_pass_max_diff"] < 1e-9 and d["summary_one_pass_max_rel_diff"] < 1e-9
        )  # same as pandas
        assert d["quartiles_one_pass_max_diff"] < 1e-9  # same as Dask's quantile
        assert d["suite_busy_s"] > 0
        # both suites' tasks are recorded: their compute time fits in their wall time x threads
        for run in d["timed_runs"].values():
            busy = sum(r[3] - r[2] for r in run["records"])
            assert 0 < busy <= run["wall_s"] * run["threads"] * 1.05
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
    # a speedup plot per workload, and where the time went (every workload records its tasks)
    assert sorted(p.name.split("quick-")[1] for p in (tmp_path / "plots").glob("*.png")) == [
        "eda-time.png",
        "eda.png",
        "grid-time.png",
        "grid.png",
        "reviews-time.png",
        "reviews.png",
        "tpot-time.png",
        "tpot.png",
    ]
    dask_ml = [r for r in grid["rows"] if r["method"] == "dask-ml"]
    for r in dask_ml:  # one row per computation: together, the busy time
        assert sum(x[3] - x[2] for x in r["records"]) == pytest.approx(r["busy_s"], abs=1e-3)
    assert "model check: dask-ml at 2 workers predicted" in printed
    assert "model check: the fast suite at 2 workers predicted" in printed
    assert "the generation barrier at 2 workers" in printed
    # one worker thread: joblib runs its fits in the client, and the report says so
    tasks_at_1 = {r["method"]: r["tasks"] for r in grid["rows"] if r["workers"] == 1}
    assert tasks_at_1["joblib-dask"] == 0 and "these rows measure no Dask" in printed
    assert "keeps them 70% busy" in printed or "no population up to" in printed


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
    document = json.loads((results / "tpot-2-cores-2026-12-03.json").read_text())
    document["rows"][1]["wall_s"] *= 2
    (results / "tpot-2-cores-2026-12-03.json").write_text(json.dumps(document))
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
    assert tpot_search.quiet_pkg_resources.__code__.co_filename.endswith(
        "05-tpot-pipeline-search.ipynb"
    )
    source = "\n".join(p.read_text() for p in (REPO_ROOT / "benchmarks").glob("*.py"))
    for copy in [
        "def partition_moments",
        "def corr_one_pass",
        "class SequentialTreesForest",
        '"max_depth": [3,',
        "def light_space",
        "quiet_pkg_resources(",  # a definition (or a call) of its own
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
    # one task per partition gives Dask's own approximate quartiles, not a different estimate
    np.testing.assert_array_equal(
        eda.quartiles_one_pass(parts), parts.quantile([0.25, 0.5, 0.75]).compute()
    )
    with pytest.raises(ValueError, match="every partition is empty"):  # not merge's IndexError
        eda.quartiles_one_pass(parts[parts.a > 100])
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
    # 8 gaps of 0.1 s between tasks over 10 tasks; the gap before the scores is the client's
    assert fitted["overhead_per_task_s"] == pytest.approx(0.8 / 10)
    assert fitted["stage_gap_s"] == pytest.approx(0.1)
    one = model.simulate(fitted, 1)
    assert one["wall_s"] == pytest.approx(wall, abs=0.11)  # it reproduces its own run
    two = model.simulate(fitted, 2)
    # fits in 4 rounds of 1.08 s, the client's 0.1 s, then the two scores side by side
    assert two["wall_s"] == pytest.approx(0.2 + 4 * 1.08 + 0.1 + 0.58 + (wall - records[-1][3]))
    huge = model.simulate(fitted, 64)
    assert huge["limit"] == "the slowest task of each stage" and huge["wall_s"] < two["wall_s"]
    check = model.validate(wall, 1, records, {"threads": 2, "wall_s": two["wall_s"] * 1.1})
    assert check["error"] == pytest.approx(1 / 1.1 - 1)


def test_a_generation_that_waits_for_its_slowest_task_is_counted_as_barrier_time():
    from benchmarks import model
    from benchmarks.metrics import breakdown, stages

    # 2 workers, two generations of 2 evaluations: in each, one takes 1 s and one 3 s; the client
    # breeds the next generation for 0.5 s in between
    records = [
        ["generation 1", 0, 0.0, 1.0, 0.0],
        ["generation 1", 1, 0.0, 3.0, 0.0],
        ["generation 2", 0, 3.5, 4.5, 0.0],
        ["generation 2", 1, 3.5, 6.5, 0.0],
    ]
    assert [len(stage) for stage in stages(records)] == [2, 2]
    parts = breakdown(6.5, 2, records)
    assert sum(parts.values()) == pytest.approx(6.5)
    assert parts["barrier"] == pytest.approx(2.0 / 2)  # worker 0 idle 2 s in generation 1
    assert parts["between"] == pytest.approx(0.5)
    assert parts["tail"] == pytest.approx(2.0 / 2)  # and 2 s in the last one
    fitted = model.inputs(6.5, 2, records)
    assert fitted["barriers"] == ["generation 2"] and fitted["stage_gap_s"] == pytest.approx(0.5)
    assert model.simulate(fitted, 2)["wall_s"] == pytest.approx(6.5)  # its own run again
    # four workers do not help: each generation still waits for its 3 s evaluation
    assert model.simulate(fitted, 4)["wall_s"] == pytest.approx(6.5)
    # a population of 4 per generation on 4 workers: the same time for twice the evaluations
    bigger = model.simulate(model.resized(fitted, 4, 2), 4)
    assert bigger["wall_s"] == pytest.approx(6.5)
    assert bigger["limit"] == "the slowest task of each stage"


def test_tpot_task_records_are_named_after_the_generation_they_evaluated():
    import pandas as pd

    from benchmarks.tpot_search import by_generation

    began = 1000.0  # the client's clock when the records start
    evaluated = pd.DataFrame(
        {
            "Generation": [0, 0, 1, 1, None],  # the last: never submitted
            "Submitted Timestamp": [1001.0, 1001.2, 1005.0, 1005.1, None],
        }
    )
    records = [["eval", 0, 1.1, 3.0, 0.0], ["eval", 1, 1.3, 4.0, 0.0], ["eval", 0, 5.2, 6.0, 0.0]]
    by_generation(records, evaluated, began)
    assert [r[0] for r in records] == ["generation 0", "generation 0", "generation 1"]
