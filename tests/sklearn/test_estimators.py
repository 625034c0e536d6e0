"""The adapters against scikit-learn itself: same initial weights for the same random_state,
the same training steps in float64, the same attributes, warnings and target types."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn import neural_network as sk
from sklearn.datasets import load_iris, make_multilabel_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from glassnet import sklearn as gs

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def iris() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def regression() -> tuple[np.ndarray, np.ndarray]:
    X, y = make_regression(n_samples=120, n_features=5, noise=5.0, random_state=0)
    return X, y / y.std()


def _pair(name: str, **params: Any) -> tuple[Any, Any]:
    return getattr(sk, name)(**params), getattr(gs, name)(dtype="float64", **params)


def _assert_same_model(theirs: Any, ours: Any, rtol: float = 1e-7) -> None:
    for attr in ("n_iter_", "n_layers_", "n_outputs_", "out_activation_", "n_features_in_"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
    for W_ours, W_theirs in zip(ours.coefs_, theirs.coefs_, strict=True):
        assert_allclose(W_ours, W_theirs, rtol=rtol, atol=rtol * 1e-2)
    for b_ours, b_theirs in zip(ours.intercepts_, theirs.intercepts_, strict=True):
        assert b_ours.shape == b_theirs.shape
        assert_allclose(b_ours, b_theirs, rtol=rtol, atol=rtol * 1e-2)
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=rtol)


def test_initial_weights_are_scikit_learns(iris: Any) -> None:
    X, y = iris
    for activation in ("relu", "logistic"):
        theirs, ours = _pair(
            "MLPClassifier", hidden_layer_sizes=(7, 5), activation=activation, max_iter=1,
            solver="lbfgs", random_state=3,
        )  # fmt: skip
        theirs.fit(X, y)
        theirs._random_state = np.random.RandomState(3)
        theirs._initialize(np.zeros((1, 3)), [4, 7, 5, 3], np.float64)
        ours.fit(X, y)
        ours._initialize(np.zeros((1, 3)), [4, 7, 5, 3], np.random.RandomState(3))
        for W_ours, W_theirs in zip(ours.coefs_, theirs.coefs_, strict=True):
            assert_allclose(W_ours, W_theirs, rtol=0, atol=0)


@pytest.mark.parametrize(
    "params",
    [
        {"solver": "adam"},
        {"solver": "sgd"},
        {"solver": "sgd", "nesterovs_momentum": False, "learning_rate": "invscaling"},
        {"solver": "sgd", "learning_rate": "adaptive", "learning_rate_init": 0.3, "tol": 0.1},
        {"solver": "adam", "early_stopping": True, "n_iter_no_change": 3},
        {"solver": "adam", "batch_size": 30, "alpha": 0.01},
    ],
    ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()),
)
def test_stochastic_training_matches_scikit_learn_step_for_step(iris: Any, params: Any) -> None:
    """Without shuffling, float64 training is scikit-learn's, epoch for epoch."""
    X, y = iris
    theirs, ours = _pair(
        "MLPClassifier", hidden_layer_sizes=(10,), max_iter=40, shuffle=False, random_state=0,
        **params,
    )  # fmt: skip
    theirs.fit(X, y)
    ours.fit(X, y)
    _assert_same_model(theirs, ours, rtol=1e-6)
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-6)
    if params.get("early_stopping"):
        assert_allclose(ours.validation_scores_, theirs.validation_scores_)
        assert ours.best_validation_score_ == theirs.best_validation_score_
        assert ours.best_loss_ is None
    else:
        assert ours.best_loss_ == pytest.approx(theirs.best_loss_, rel=1e-6)
    assert ours.t_ == theirs.t_


def test_a_shorter_last_batch_changes_the_penalty_only_slightly(iris: Any) -> None:
    """scikit-learn divides alpha by each batch's size; Network.fit takes one alpha, so the
    last, shorter batch (150 = 4·32 + 22) gets alpha/32 instead of alpha/22."""
    X, y = iris
    theirs, ours = _pair("MLPClassifier", hidden_layer_sizes=(10,), max_iter=40, shuffle=False,
                         random_state=0, batch_size=32, alpha=0.01)  # fmt: skip
    theirs.fit(X, y)
    ours.fit(X, y)
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-3)
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-3)


def test_no_hidden_layer_is_logistic_regression_as_in_scikit_learn(iris: Any) -> None:
    X, y = iris
    theirs, ours = _pair("MLPClassifier", hidden_layer_sizes=(), activation="logistic",
                         solver="lbfgs", max_iter=20, random_state=0)  # fmt: skip
    _assert_same_model(theirs.fit(X, y), ours.fit(X, y), rtol=1e-5)
    assert ours.n_layers_ == 2 and ours.coefs_[0].shape == (4, 3)


def test_lbfgs_matches_scikit_learn(iris: Any, regression: Any) -> None:
    X, y = iris
    theirs, ours = _pair("MLPClassifier", hidden_layer_sizes=(8,), max_iter=30, random_state=1,
                         solver="lbfgs")  # fmt: skip
    _assert_same_model(theirs.fit(X, y), ours.fit(X, y), rtol=1e-5)
    X, y = regression
    theirs, ours = _pair("MLPRegressor", hidden_layer_sizes=(8,), max_iter=30, random_state=1,
                         solver="lbfgs", alpha=0.1)  # fmt: skip
    w = np.linspace(0.5, 2.0, len(y))
    _assert_same_model(theirs.fit(X, y, sample_weight=w), ours.fit(X, y, sample_weight=w), 1e-5)


def test_regressor_matches_scikit_learn_with_sample_weights(regression: Any) -> None:
    X, y = regression
    w = np.linspace(0.0, 3.0, len(y))
    theirs, ours = _pair("MLPRegressor", hidden_layer_sizes=(6,), max_iter=30, random_state=0,
                         shuffle=False, batch_size=len(y), learning_rate_init=0.01)  # fmt: skip
    _assert_same_model(theirs.fit(X, y, sample_weight=w), ours.fit(X, y, sample_weight=w), 1e-6)
    assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-6)


def test_poisson_regression_matches_scikit_learn() -> None:
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 4))
    y = rng.poisson(np.exp(0.5 * X[:, 0] - 0.3 * X[:, 1]))
    theirs, ours = _pair("MLPRegressor", loss="poisson", hidden_layer_sizes=(6,), max_iter=30,
                         shuffle=False, random_state=0, learning_rate_init=0.01)  # fmt: skip
    _assert_same_model(theirs.fit(X, y), ours.fit(X, y), rtol=1e-6)
    assert ours.out_activation_ == "exp" and (ours.predict(X) > 0).all()
    with pytest.raises(ValueError, match="non-negative"):
        ours.fit(X, -y - 1)


def test_attributes_and_predictions(iris: Any) -> None:
    X, y = iris
    clf = gs.MLPClassifier(hidden_layer_sizes=(10, 6), max_iter=30, random_state=0).fit(X, y)
    assert [W.shape for W in clf.coefs_] == [(4, 10), (10, 6), (6, 3)]
    assert [b.shape for b in clf.intercepts_] == [(10,), (6,), (3,)]
    assert clf.n_layers_ == 4 and clf.n_outputs_ == 3 and clf.out_activation_ == "softmax"
    assert list(clf.classes_) == [0, 1, 2]
    assert len(clf.loss_curve_) == clf.n_iter_ == 30 and clf.t_ == 30 * 150
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None
    P = clf.predict_proba(X)
    assert P.shape == (150, 3) and P.dtype == np.float64  # float64 iris: computed in float64
    assert_allclose(P.sum(axis=1), 1, rtol=1e-6)
    assert_allclose(clf.predict_log_proba(X), np.log(P), rtol=1e-6)
    assert (clf.predict(X) == clf.classes_[P.argmax(axis=1)]).all()


def test_binary_string_labels_use_one_sigmoid_output(iris: Any) -> None:
    X, y = iris
    labels = np.where(y == 0, "setosa", "other")
    clf = gs.MLPClassifier(hidden_layer_sizes=(5,), learning_rate_init=0.05, random_state=0)
    clf.fit(X, labels)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 1
    assert set(clf.predict(X)) <= {"setosa", "other"} and clf.score(X, labels) > 0.95
    assert clf.predict_proba(X).shape == (150, 2)


def test_multilabel_and_multioutput() -> None:
    X, Y = make_multilabel_classification(n_samples=80, n_classes=4, random_state=0)
    clf = gs.MLPClassifier(hidden_layer_sizes=(20,), solver="lbfgs", max_iter=200, random_state=0)
    clf.fit(X, Y)
    assert clf.out_activation_ == "logistic" and clf.predict(X).shape == (80, 4)
    assert clf.network_.loss.name == "binary_cross_entropy" and clf.score(X, Y) > 0.8
    X, Y = make_regression(n_samples=80, n_features=4, n_targets=3, random_state=0)
    reg = gs.MLPRegressor(hidden_layer_sizes=(20,), solver="lbfgs", max_iter=300, random_state=0)
    assert reg.fit(X, Y / Y.std()).predict(X).shape == (80, 3) and reg.n_outputs_ == 3


def test_convergence_warnings_are_scikit_learns(iris: Any) -> None:
    X, y = iris
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\) reached"):
        gs.MLPClassifier(max_iter=3).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        gs.MLPClassifier(solver="lbfgs", max_iter=2).fit(X, y)


def test_partial_fit(iris: Any) -> None:
    X, y = iris
    clf = gs.MLPClassifier(hidden_layer_sizes=(10,), random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    for _ in range(20):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 20 and clf.t_ == 20 * 150
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert not hasattr(gs.MLPClassifier(solver="lbfgs"), "partial_fit")
    with pytest.raises(ValueError, match="classes not in"):
        clf.partial_fit(X, y + 5)


def test_verbose_prints_scikit_learns_lines(iris: Any, capsys: Any) -> None:
    X, y = iris
    gs.MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, verbose=True, early_stopping=True,
                     random_state=0).fit(X, y)  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Iteration 1, loss = ") and lines[1].startswith("Validation score")


def test_warm_start_continues_from_the_last_weights(iris: Any) -> None:
    X, y = iris
    clf = gs.MLPClassifier(hidden_layer_sizes=(10,), max_iter=5, warm_start=True, random_state=0)
    clf.fit(X, y)
    first = [W.copy() for W in clf.coefs_]
    clf.fit(X, y)
    assert len(clf.loss_curve_) == 10 and not np.allclose(first[0], clf.coefs_[0])


def test_bad_parameters_are_refused(iris: Any) -> None:
    X, y = iris
    with pytest.raises(ValueError, match="solver"):
        gs.MLPClassifier(solver="newton").fit(X, y)
    with pytest.raises(ValueError, match="one per hidden layer"):
        gs.MLPClassifier(hidden_layer_sizes=(4, 4), activation=["relu"]).fit(X, y)
    with pytest.raises(ValueError, match="unknown activation"):
        gs.MLPClassifier(hidden_layer_sizes=(4,), activation=["swoosh"]).fit(X, y)


def test_values_beyond_float32_are_refused_with_the_reason() -> None:
    X = np.full((20, 3), 1e150)
    with pytest.raises(ValueError, match="beyond float32's range"):
        gs.MLPRegressor(max_iter=2, dtype="float32").fit(X, np.arange(20.0))


@pytest.mark.parametrize("Estimator", [gs.MLPClassifier, gs.MLPRegressor])
def test_the_dtype_follows_scikit_learns_rule(Estimator: Any) -> None:
    """float32 input stays float32, anything else computes in float64; dtype opts in."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((30, 3)), rng.integers(0, 2, 30)
    for X_in, dtype, expected in [
        (X, None, np.float64),
        (X.astype(np.float32), None, np.float32),
        (X.tolist(), None, np.float64),
        (X.astype(np.int64), None, np.float64),
        (X, "float32", np.float32),
        (X.astype(np.float32), "float64", np.float64),
    ]:
        est = Estimator(hidden_layer_sizes=(4,), max_iter=2, dtype=dtype).fit(X_in, y)
        assert est.coefs_[0].dtype == expected, (type(X_in), dtype)


def test_coefs_can_be_set_as_in_scikit_learn(iris: Any) -> None:
    X, y = iris
    clf = gs.MLPClassifier(hidden_layer_sizes=(3,), max_iter=1, random_state=0).fit(X, y)
    clf.coefs_ = [np.zeros((4, 3)), np.ones((3, 3))]
    clf.intercepts_ = [np.zeros(3), np.array([0.0, 5.0, 0.0])]
    assert (clf.predict(X) == 1).all()  # every hidden unit is 0, so the biases decide
    assert clf.network_.P[:12].sum() == 0  # written into the flat vector itself
    with pytest.raises(ValueError, match=r"layer1.W is \(4, 3\)"):
        clf.coefs_ = [np.zeros((3, 3)), np.ones((3, 3))]
