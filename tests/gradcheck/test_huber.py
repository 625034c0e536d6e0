"""The Huber loss beside its gradient: backward matches central differences, for residuals
on both sides of delta, and its cost is the closed form at hand-picked residuals."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.losses import Huber, get_loss


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
@pytest.mark.parametrize("delta", [0.3, 1.0, 5.0])
def test_huber_gradients_match_finite_differences(
    rng: np.random.Generator, activation: str, delta: float
) -> None:
    net = gn.Network([3, 5, 2], activation=activation, loss=Huber(delta), dtype="float64", seed=1)
    X = rng.normal(size=(8, 3))
    Y = rng.normal(scale=3.0, size=(8, 2))  # residuals both inside and beyond delta
    report = gn.gradcheck(net, X, Y)
    assert report.ok, str(report)


def test_huber_cost_is_quadratic_inside_delta_and_linear_beyond() -> None:
    loss = Huber(delta=1.0)
    O = np.array([[0.5], [3.0], [-2.0]])
    Y = np.zeros((3, 1))
    f = gn.activations.get_activation("identity")
    # ½·0.5² = 0.125;  1·(3 − ½) = 2.5;  1·(2 − ½) = 1.5
    assert loss.cost(O, O, Y, f, 1.0) == pytest.approx(0.125 + 2.5 + 1.5)
    np.testing.assert_allclose(loss.dO(O, Y, 1.0), [[0.5], [1.0], [-1.0]])


def test_huber_by_name_and_bad_delta() -> None:
    assert isinstance(get_loss("huber"), Huber)
    with pytest.raises(ValueError, match="delta > 0"):
        Huber(0.0)
