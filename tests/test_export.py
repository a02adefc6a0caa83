"""coursekit.export writes a pipeline as Python that rebuilds an equal, refittable pipeline."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.feature_selection import SelectPercentile
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from tpot.builtin_modules import Passthrough

from coursekit.export import export_pipeline, pipeline_code


def test_exported_pipeline_rebuilds_the_same_model(tmp_path):
    pipeline = make_pipeline(
        MinMaxScaler(),
        Passthrough(),
        make_union(
            SelectPercentile(percentile=np.float64(40.5)), StandardScaler(with_mean=np.bool_(False))
        ),
        KNeighborsClassifier(n_neighbors=np.int64(3), weights=np.str_("distance")),
    )
    path = export_pipeline(pipeline, tmp_path / "out" / "best.py")
    code = path.read_text()
    assert "np." not in code  # NumPy scalars are written as plain Python values
    assert (
        "from sklearn.neighbors import KNeighborsClassifier" in code
    )  # public modules, not _private ones
    assert "from tpot.builtin_modules import Passthrough" in code
    namespace = {}
    exec(code, namespace)
    rebuilt = namespace["pipeline"]
    params = rebuilt.get_params()
    assert [name for name, _ in rebuilt.steps] == [name for name, _ in pipeline.steps]
    assert (
        params["kneighborsclassifier__n_neighbors"] == 3
        and params["kneighborsclassifier__weights"] == "distance"
    )
    assert params["featureunion__selectpercentile__percentile"] == 40.5
    assert params["featureunion__standardscaler__with_mean"] is False
    X, y = load_digits(return_X_y=True)
    assert (rebuilt.fit(X, y).predict(X) == pipeline.fit(X, y).predict(X)).all()


def test_non_estimator_arguments_and_defaults():
    code = pipeline_code(LogisticRegression(C=2.0), name="model")
    assert "model = LogisticRegression(C=2.0)" in code  # defaults left out
    splitter = pipeline_code(StratifiedKFold(n_splits=4, shuffle=True, random_state=1))
    assert "StratifiedKFold(n_splits=4, shuffle=True, random_state=1)" in splitter


def test_unwritable_value_is_one_clear_error():
    with pytest.raises(TypeError, match="cannot write"):
        pipeline_code(KNeighborsClassifier(metric=lambda a, b: 0.0))
