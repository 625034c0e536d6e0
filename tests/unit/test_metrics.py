"""Scores against hand-worked values and scikit-learn's."""

from __future__ import annotations

import numpy as np
import sklearn.metrics as skm

from glassnet.metrics import classification_report, confusion_matrix, regression_report


def test_classification_hand_worked() -> None:
    # true 0 0 1 1 2, predicted 0 1 1 1 0: class 0 TP 1 FP 1 FN 1; class 1 TP 2 FP 1; class 2 FN 1
    y, p = np.array([0, 0, 1, 1, 2]), np.array([0, 1, 1, 1, 0])
    r = classification_report(y, p, 3)
    assert r.accuracy == 0.6
    np.testing.assert_allclose(r.precision, [0.5, 2 / 3, 0.0])
    np.testing.assert_allclose(r.recall, [0.5, 1.0, 0.0])
    np.testing.assert_allclose(r.f1, [0.5, 0.8, 0.0])
    assert r.support == [2, 2, 1]
    assert r.confusion.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]


def test_classification_matches_sklearn(rng: np.random.Generator) -> None:
    y, p = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    r = classification_report(y, p, 4)
    P, R, F, S = skm.precision_recall_fscore_support(y, p, labels=range(4), zero_division=0)
    np.testing.assert_allclose(r.precision, P)
    np.testing.assert_allclose(r.recall, R)
    np.testing.assert_allclose(r.f1, F)
    assert r.support == S.tolist()
    np.testing.assert_array_equal(confusion_matrix(y, p, 4), skm.confusion_matrix(y, p))


def test_regression_matches_sklearn(rng: np.random.Generator) -> None:
    y = rng.standard_normal((50, 1)) * 3 + 1
    p = y + rng.standard_normal((50, 1))
    r = regression_report(y, p)
    assert np.isclose(r.r2, skm.r2_score(y, p))
    assert np.isclose(r.mae, skm.mean_absolute_error(y, p))
    assert np.isclose(r.rmse, np.sqrt(skm.mean_squared_error(y, p)))
