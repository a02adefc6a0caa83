"""Profiles and parameters: every profile fits the notebooks; mistakes name what is allowed."""

from __future__ import annotations

import pytest

from coursekit.params import (
    ParameterError,
    available_profiles,
    load_profile,
    parameters_for,
    validate,
)
from coursekit.series import notebooks

from .conftest import notebook_path


def test_profiles_exist_and_validate_against_every_notebook():
    assert {"binder", "ci", "full"} <= set(available_profiles())
    for profile in available_profiles():
        for nb in notebooks():
            parameters_for(nb, profile)  # raises on any unknown name or wrong type


def test_every_notebook_has_the_common_parameters():
    for nb in notebooks():
        params = validate(nb, {})
        from coursekit.params import notebook_parameters

        declared = notebook_parameters(nb)
        assert {"scheduler_address", "n_workers", "results_path"} <= set(declared), nb.name
        assert declared["scheduler_address"] == "" and params == {}


def test_unknown_parameter_names_the_allowed_ones():
    nb = notebook_path("01")
    with pytest.raises(
        ParameterError, match=r"unknown parameter 'n_worker'; allowed: \[.*'n_workers'"
    ):
        validate(nb, {"n_worker": 3})


@pytest.mark.parametrize(
    "name, value",
    [("n_workers", "two"), ("n_workers", 2.5), ("scheduler_address", 8786), ("memory_limit", 600)],
)
def test_ill_typed_parameter(name, value):
    with pytest.raises(ParameterError, match=rf"parameter '{name}' must be like its default"):
        validate(notebook_path("01"), {name: value})


def test_unknown_profile_and_unknown_notebook(tmp_path):
    with pytest.raises(
        ParameterError, match=r"unknown profile 'fast'; available: \['binder', 'ci', 'full'"
    ):
        load_profile("fast")
    (tmp_path / "typo.yml").write_text("01-connecting-to-a-dask-clustr:\n  n_workers: 1\n")
    with pytest.raises(
        ParameterError,
        match=r"names notebooks that do not exist: \['01-connecting-to-a-dask-clustr'\]",
    ):
        parameters_for(notebook_path("01"), "typo", profiles_dir=tmp_path)


def test_every_profile_gives_tpot_a_population_that_fills_every_round():
    # notebook 05 (and the benchmark's model) teach it: each TPOT generation waits for its
    # slowest evaluation and TPOT runs one evaluation per worker at a time, so a population that
    # is not a multiple of the workers leaves workers idle in the last round of every generation
    from coursekit.params import notebook_parameters

    nb = notebook_path("05")
    for profile in available_profiles():
        params = {**notebook_parameters(nb), **parameters_for(nb, profile)}
        assert params["population_size"] % params["n_workers"] == 0, (profile, params)
