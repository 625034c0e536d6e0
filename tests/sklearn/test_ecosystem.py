"""The adapters inside scikit-learn's machinery: Pipeline, GridSearchCV over processes,
clone, cross_val_score, pickle (as joblib uses it), feature names and set_output."""

from __future__ import annotations

import pickle
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_iris
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from glassnet.sklearn import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def iris() -> tuple[np.ndarray, np.ndarray]:
    return load_iris(return_X_y=True)


def test_pipeline_and_cross_val_score(iris: Any) -> None:
    X, y = iris
    pipe = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(16,),
                                                         solver="lbfgs", random_state=0))  # fmt: skip
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.9


def test_grid_search_in_two_processes(iris: Any) -> None:
    X, y = iris
    pipe = make_pipeline(StandardScaler(), MLPClassifier(solver="lbfgs", random_state=0))
    grid = {"mlpclassifier__hidden_layer_sizes": [(4,), (16,)],
            "mlpclassifier__activation": ["tanh", ["relu"]]}  # fmt: skip
    search = GridSearchCV(pipe, grid, cv=2, n_jobs=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 4 and search.best_score_ > 0.9
    assert search.best_estimator_[-1].network_.sizes[1] in (4, 16)


def test_clone_keeps_parameters_and_drops_the_fit(iris: Any) -> None:
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(5, 3), activation=["tanh", "relu"], dropout=0.1,
                        class_weight="balanced", dtype="float64", max_iter=3).fit(X, y)  # fmt: skip
    twin = clone(clf)
    assert twin.get_params() == clf.get_params() and not hasattr(twin, "network_")


def test_pickle_round_trip_keeps_predictions_and_training_state(iris: Any) -> None:
    X = iris[0]
    reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=10, random_state=0)
    reg.fit(X[:, :3], X[:, 3])
    copy = pickle.loads(pickle.dumps(reg))
    assert_array_equal(copy.predict(X[:, :3]), reg.predict(X[:, :3]))
    # the copy's weights are still views of its flat vector, so training it moves them
    before = copy.coefs_[0].copy()
    for est in (reg, copy):
        est.partial_fit(X[:, :3], X[:, 3])
    assert not np.array_equal(copy.coefs_[0], before)
    assert_array_equal(copy.predict(X[:, :3]), reg.predict(X[:, :3]))


def test_feature_names_and_set_output() -> None:
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, y)
    assert_array_equal(reg.feature_names_in_, X.columns)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        reg.predict(X.to_numpy())
    with pytest.raises(ValueError, match="feature names"):
        reg.predict(X[X.columns[::-1]])
    pipe = make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(8,), max_iter=5))
    pipe.set_output(transform="pandas").fit(X, y)
    assert isinstance(pipe[:-1].transform(X), pd.DataFrame)
    assert_array_equal(pipe[-1].feature_names_in_, X.columns)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the names travel through the pipeline: no warning
        assert_allclose(pipe.predict(X).shape, (len(y),))
