"""scikit-learn's own estimator suite on both adapters: every check passes, none expected to fail.

``DEFAULTS`` are the default-constructed estimators, which compute as scikit-learn does
(float32 input stays float32, anything else float64): they run every check scikit-learn
yields. Besides them, an lbfgs and an sgd instance run every check too, and the float32
opt-in (``dtype="float32"``) runs every check but ``check_sample_weight_equivalence_*``,
which compares two fits at rtol=1e-7, below float32's resolution (one rounding of a
probability near 0.5 is already 1.2e-7); ``test_float32_sample_weight_equivalence`` checks
the same property for it at a float32 tolerance. ConvergenceWarning is silenced as in
scikit-learn's tests.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import estimator_checks_generator, parametrize_with_checks

from glassnet.sklearn import MLPClassifier, MLPRegressor

DEFAULTS = [MLPClassifier(), MLPRegressor()]
SOLVERS = [
    MLPClassifier(hidden_layer_sizes=(20,), solver="lbfgs", max_iter=100, random_state=0),
    MLPRegressor(solver="sgd", max_iter=100, random_state=0),
]
FLOAT32 = [
    MLPClassifier(max_iter=100, random_state=0, dtype="float32"),
    MLPRegressor(max_iter=100, random_state=0, dtype="float32"),
]
NEEDS_FLOAT64 = "check_sample_weight_equivalence"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(DEFAULTS)
def test_every_check_default_estimators(estimator: Any, check: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")  # else check_array_api_input skips itself
    check(estimator)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(SOLVERS)
def test_every_check_lbfgs_and_sgd(estimator: Any, check: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    check(estimator)


def _check_id(value: Any) -> str:
    if isinstance(value, functools.partial):
        kwargs = ",".join(f"{k}={v}" for k, v in value.keywords.items())
        return f"{value.func.__name__}({kwargs})" if kwargs else value.func.__name__
    return type(value).__name__


FLOAT32_CHECKS = [
    (est, check)
    for est in FLOAT32
    for _, check in estimator_checks_generator(est)
    if NEEDS_FLOAT64 not in check.func.__name__
]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(("estimator", "check"), FLOAT32_CHECKS, ids=_check_id)
def test_every_other_check_float32(estimator: Any, check: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    check(estimator)


def test_default_checks_are_all_of_them() -> None:
    """Nothing is left out for the default estimators: at least as many checks as
    scikit-learn yields for its own MLPs (the classifier gets one more: its multilabel tag)."""
    from sklearn import neural_network

    ours = [len(list(estimator_checks_generator(est))) for est in DEFAULTS]
    theirs = [
        len(list(estimator_checks_generator(est)))
        for est in (neural_network.MLPClassifier(), neural_network.MLPRegressor())
    ]
    assert ours[0] >= theirs[0] and ours[1] >= theirs[1]


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_float32_sample_weight_equivalence(Estimator: Any) -> None:
    """Integer weights act as repeated rows, and zero weights as removed rows, with the
    float32 opt-in too (scikit-learn's check, at float32's tolerance)."""
    rng = np.random.RandomState(42)
    X = rng.rand(15, 30)
    y = rng.randint(0, 3, size=15)
    sw = rng.randint(0, 5, size=15)
    est = Estimator(max_iter=100, random_state=0, dtype="float32")
    with pytest.warns(ConvergenceWarning):
        repeated = clone(est).fit(X.repeat(sw, axis=0), y.repeat(sw))
    with pytest.warns(ConvergenceWarning):
        weighted = clone(est).fit(X, y, sample_weight=sw)
    method = "predict_proba" if hasattr(est, "predict_proba") else "predict"
    assert_allclose(getattr(weighted, method)(X), getattr(repeated, method)(X), rtol=2e-5)
