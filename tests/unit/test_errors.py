"""Every bad input raises a ValueError that names what is wrong, and changes nothing."""

from __future__ import annotations

import re

import numpy as np
import pytest

import glassnet as gn


@pytest.fixture
def net() -> gn.Network:
    return gn.Network([4, 8, 3], loss="cross_entropy", seed=0)


@pytest.fixture
def data(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    return rng.standard_normal((10, 4)), rng.integers(0, 3, size=10)


def nan_at(X: np.ndarray, r: int, c: int, value: float = np.nan) -> np.ndarray:
    X = X.copy()
    X[r, c] = value
    return X


@pytest.mark.parametrize("method", ["fit", "cost", "gradients"])
@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (lambda X, y: (X[:, :3], y), r"layer 1: X has 3 columns but W1 is \(4, 8\)"),
        (lambda X, y: (nan_at(X, 2, 1), y), r"X contains NaN at row 2, column 1"),
        (lambda X, y: (nan_at(X, 5, 3, np.inf), y), r"X contains inf at row 5, column 3"),
        (lambda X, y: (X, y[:9]), r"X has 10 rows but Y has 9"),
        (lambda X, y: (X, np.where(y == 0, 3, y)), r"label 3 at row \d+, outside 0..2"),
        (lambda X, y: (X, y + 0.5), r"non-integer values"),
        (lambda X, y: (X, np.ones((10, 4))), r"layer 2: Y is \(10, 4\) but O is \(10, 3\)"),
        (lambda X, y: (X[:0], y[:0]), r"X is empty"),
        (lambda X, y: (X[:, 0], y), r"X is 1-D .* X.reshape\(-1, 1\)"),
        (lambda X, y: (X.astype(str), y), r"X must hold numbers"),
        (lambda X, y: (X, y.astype(str)), r"Y must hold numbers"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(net, data, method, bad, message) -> None:  # type: ignore[no-untyped-def]
    X, y = bad(*data)
    before = net.P.copy()
    with pytest.raises(ValueError, match=message):
        getattr(net, method)(X, y)
    np.testing.assert_array_equal(net.P, before)


def test_predict_checks_features(net) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=r"X has 5 columns but W1 is \(4, 8\)"):
        net.predict(np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"X contains NaN at row 1, column 0"):
        net.predict(np.array([[0.0] * 4, [np.nan, 0, 0, 0]]))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"activation": "relux"}, "unknown activation 'relux': use one of"),
        ({"output_activation": "nope"}, "unknown activation 'nope'"),
        ({"loss": "hinge"}, "unknown loss 'hinge': use one of mse, cross_entropy"),
        ({"reduction": "max"}, "unknown reduction 'max'"),
        ({"dtype": "float16"}, "unknown dtype 'float16'"),
        ({"activation": ["relu", "tanh"]}, "activation lists 2 values but the network has 1"),
        ({"dropout": 1.0}, r"dropout rates must lie in \[0, 1\)"),
    ],
)
def test_bad_network_settings(kwargs, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        gn.Network([4, 8, 3], **kwargs)


@pytest.mark.parametrize("sizes", [[4], [4, 0, 3], [4, -1], [4, 2.5, 3], "43"])
def test_bad_sizes(sizes) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="sizes must list at least two positive integers"):
        gn.Network(sizes)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"optimizer": "adagrad"}, "unknown optimizer 'adagrad': use one of sgd, adam"),
        ({"learning_rate": 0}, "learning_rate must be > 0"),
        ({"learning_rate": -1}, "learning_rate must be > 0"),
        ({"epochs": 0}, "epochs must be a positive integer"),
        ({"batch_size": 0}, "batch_size must be a positive integer"),
        ({"validation_split": 1.5}, r"validation_split must lie in \(0, 1\)"),
        ({"early_stopping": True}, "early_stopping needs validation data"),
        ({"schedule": "warmup"}, "unknown schedule 'warmup'"),
        ({"alpha": -1.0}, "alpha must be >= 0"),
        ({"optimizer": gn.Adam(0.1), "learning_rate": 0.5}, "set it in one place"),
        ({"validation_data": (np.zeros((2, 5)), [0, 1])}, r"Xv has 5 columns but W1"),
        ({"sample_weight": [1.0] * 9}, "sample_weight has 9 entries but X has 10 rows"),
        ({"sample_weight": [-1.0] * 10}, "sample_weight must be finite, non-negative"),
    ],
)
def test_bad_fit_options_change_nothing(net, data, kwargs, message) -> None:  # type: ignore[no-untyped-def]
    before = net.P.copy()
    with pytest.raises(ValueError, match=message):
        net.fit(*data, **kwargs)
    np.testing.assert_array_equal(net.P, before)


def test_error_messages_are_one_line(net) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError) as info:
        net.forward(np.zeros((3, 7)))
    assert "\n" not in str(info.value)
    assert re.search(r"\(3, 7\)", str(info.value))
