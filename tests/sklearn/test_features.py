"""What scikit-learn's MLP lacks: class_weight, per-layer activations, dropout, the Huber
loss, validation-loss early stopping, callbacks, partial_fit with early stopping, dtype and
to_network()."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_digits, make_classification
from sklearn.metrics import recall_score
from sklearn.preprocessing import StandardScaler

import glassnet as gn
from glassnet.activations import Activation
from glassnet.sklearn import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def cancer() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_class_weight_dict_is_sample_weight_per_class(cancer: Any) -> None:
    X, y = cancer
    params = {"hidden_layer_sizes": (8,), "max_iter": 20, "random_state": 0, "dtype": "float64"}
    by_class = MLPClassifier(class_weight={0: 3.0}, **params).fit(X, y)
    by_row = MLPClassifier(**params).fit(X, y, sample_weight=np.where(y == 0, 3.0, 1.0))
    assert_allclose(by_class.coefs_[0], by_row.coefs_[0], rtol=1e-12)


def test_class_weight_balanced_raises_minority_recall() -> None:
    X, y = make_classification(n_samples=600, weights=[0.93], class_sep=0.5, random_state=0)
    params = {"hidden_layer_sizes": (8,), "max_iter": 60, "random_state": 0}
    plain = MLPClassifier(**params).fit(X, y)
    balanced = MLPClassifier(class_weight="balanced", **params).fit(X, y)
    assert recall_score(y, balanced.predict(X)) > recall_score(y, plain.predict(X)) + 0.1
    with pytest.raises(ValueError, match="whole data set"):
        MLPClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1])


class Cube(Activation):
    """A = Z³; f'(Z) = 3Z² (a custom activation, to show that any Activation fits)."""

    name = "cube"

    def f(self, Z: np.ndarray) -> np.ndarray:
        return Z**3

    def df(self, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
        return 3 * Z * Z


def test_activation_per_hidden_layer(cancer: Any) -> None:
    X, y = cancer
    clf = MLPClassifier(hidden_layer_sizes=(8, 6, 4), activation=["tanh", "gelu", Cube()],
                        max_iter=30, random_state=0)  # fmt: skip
    clf.fit(X, y)
    assert [a.name for a in clf.network_.activations] == ["tanh", "gelu", "cube"]
    assert clf.score(X, y) > 0.9
    assert clone(clf).get_params()["activation"][2] == Cube()


def test_dropout_trains_differently_and_predicts_deterministically(cancer: Any) -> None:
    X, y = cancer
    params = {"hidden_layer_sizes": (32,), "max_iter": 20, "random_state": 0}
    plain = MLPClassifier(**params).fit(X, y)
    dropped = MLPClassifier(dropout=0.5, **params).fit(X, y)
    assert dropped.loss_curve_[-1] > plain.loss_curve_[-1]  # dropout makes training harder
    assert_allclose(dropped.predict_proba(X), dropped.predict_proba(X))
    assert dropped.to_network().layers[0].dropout == 0.5 and dropped.score(X, y) > 0.9


def test_huber_loss_resists_outliers() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=300)
    y_dirty = y.copy()
    y_dirty[:30] += rng.choice([-1, 1], size=30) * 20  # 10% gross outliers
    params = {"hidden_layer_sizes": (16,), "solver": "lbfgs", "max_iter": 300, "random_state": 0}
    squared = MLPRegressor(**params).fit(X, y_dirty)
    huber = MLPRegressor(loss="huber", huber_delta=1.0, **params).fit(X, y_dirty)
    assert huber.network_.loss.name == "huber" and huber.out_activation_ == "identity"
    assert huber.score(X[30:], y[30:]) > 0.97 > squared.score(X[30:], y[30:])


def test_early_stopping_on_validation_loss() -> None:
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    clf = MLPClassifier(hidden_layer_sizes=(32,), early_stopping=True,
                        early_stopping_metric="loss", n_iter_no_change=3, tol=1e-2, random_state=0)  # fmt: skip
    clf.fit(X, y)
    curve = clf.validation_loss_curve_
    assert len(curve) == len(clf.validation_scores_) == clf.n_iter_ < 200
    assert clf.best_validation_loss_ == min(curve)
    best, count = np.inf, 0
    for loss in curve:  # it stopped because the loss fell by less than tol 4 times running
        count, best = (count + 1 if loss > best - clf.tol else 0), min(best, loss)
    assert count == clf.n_iter_no_change + 1
    Xv, Yv, _, _ = clf._validation
    assert clf.network_.cost(Xv, Yv) == pytest.approx(min(curve), rel=1e-5)  # best restored
    plain = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3).fit(X, y)
    assert plain.validation_loss_curve_ is None


def test_callbacks_see_the_estimator_and_can_stop_it(cancer: Any) -> None:
    X, y = cancer
    seen: list[int] = []

    def stop_at_five(est: Any) -> bool:
        seen.append(est.n_iter_)
        return est.n_iter_ == 5

    for solver in ("adam", "lbfgs"):
        seen.clear()
        clf = MLPClassifier(hidden_layer_sizes=(4,), solver=solver, callbacks=[stop_at_five])
        clf.fit(X, y)
        assert seen == [1, 2, 3, 4, 5] and clf.n_iter_ == 5


def test_partial_fit_with_early_stopping(cancer: Any) -> None:
    X, y = cancer
    clf = MLPClassifier(hidden_layer_sizes=(16,), early_stopping=True, n_iter_no_change=2,
                        learning_rate_init=0.05, random_state=0)  # fmt: skip
    calls = 0
    while not getattr(clf, "early_stopped_", False) and calls < 200:
        clf.partial_fit(X, y, classes=[0, 1])
        calls += 1
    assert clf.early_stopped_ and len(clf.validation_scores_) == calls
    Xv, _, yv, _ = clf._validation
    assert len(yv) == round(0.1 * len(y))  # held out from the first call, kept since
    assert clf.score(Xv, yv) == clf.best_validation_score_  # best weights restored


def test_dtype(cancer: Any) -> None:
    X, y = cancer
    for dtype in ("float32", "float64"):
        clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, dtype=dtype).fit(X, y)
        assert clf.coefs_[0].dtype == clf.predict_proba(X).dtype == np.dtype(dtype)


def test_to_network_gives_an_independent_glassnet_network(cancer: Any) -> None:
    X, y = cancer
    clf = MLPClassifier(hidden_layer_sizes=(6,), max_iter=20, random_state=0).fit(X, y)
    net = clf.to_network()
    assert isinstance(net, gn.Network) and net.sizes == [30, 6, 1]
    assert_allclose(net.forward(X)[:, 0], clf.predict_proba(X)[:, 1], rtol=1e-6)
    assert gn.gradcheck(net, X[:5], y[:5].reshape(-1, 1).astype(float)).ok
    net.P[:] = 0
    assert clf.coefs_[0].any()


@pytest.mark.parametrize("target", ["binary", "multiclass", "multilabel", "regression"])
def test_from_network_rebuilds_the_estimator(cancer: Any, target: str) -> None:
    X, y = cancer
    Estimator: Any = MLPRegressor if target == "regression" else MLPClassifier
    Y = {"binary": np.where(y == 1, "benign", "malignant"), "multiclass": (X[:, 0] > 0) + y * 2,
         "multilabel": np.column_stack([y, X[:, 0] > 0, X[:, 1] > 0]),
         "regression": X[:, :2] @ [1.0, -1.0]}[target]  # fmt: skip
    params: dict[str, Any] = {"hidden_layer_sizes": (6,), "activation": "tanh", "max_iter": 10}
    if target == "regression":
        params.update(loss="huber", huber_delta=0.5)
    est = Estimator(random_state=0, **params).fit(X, Y)
    classes = getattr(est, "classes_", None)
    net = est.to_network()
    if target == "regression":
        net.loss = gn.losses.get_loss("huber")  # as a model file loads it: delta 1 by default
    again = Estimator.from_network(net, classes=classes, **params)
    assert again.get_params() == est.get_params()
    assert repr(again.network_.loss) == repr(est.network_.loss)
    assert_array_equal(again.predict(X), est.predict(X))
    for attr in ("n_features_in_", "n_layers_", "n_outputs_", "out_activation_"):
        assert getattr(again, attr) == getattr(est, attr)
    if classes is not None:
        assert_array_equal(again.classes_, classes)
        assert_allclose(again.predict_proba(X), est.predict_proba(X))
    again.set_params(warm_start=True).fit(X, Y)  # and it trains on from there


def test_to_network_metadata_is_json_and_enough_to_rebuild(cancer: Any) -> None:
    X, y = cancer
    labels = np.where(y == 1, "benign", "malignant")
    clf = MLPClassifier(hidden_layer_sizes=(6,), activation=["tanh"], alpha=0.01, max_iter=10,
                        n_iter_no_change=np.inf, callbacks=[print], random_state=0)  # fmt: skip
    clf.fit(X, labels)
    net = clf.to_network()
    meta = json.loads(json.dumps(net.metadata, allow_nan=False))  # what a model file keeps
    assert meta["task"] == "classification" and meta["class_labels"] == ["benign", "malignant"]
    assert meta["sklearn"]["estimator"] == "MLPClassifier"
    saved = meta["sklearn"]["params"]
    assert saved["activation"] == ["tanh"] and saved["alpha"] == 0.01
    assert "callbacks" not in saved and "n_iter_no_change" not in saved  # not JSON: left out
    net.metadata = meta
    again = MLPClassifier.from_network(net)
    assert again.alpha == 0.01 and list(again.hidden_layer_sizes) == [6]
    assert_array_equal(again.classes_, clf.classes_)
    assert_array_equal(again.predict(X), clf.predict(X))
