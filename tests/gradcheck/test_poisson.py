"""The Poisson loss beside its gradient: the fused exp-output error and the general one
both match central differences; the cost is half the Poisson deviance."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.losses import Poisson


@pytest.mark.parametrize("output", ["exp", "softplus"])
def test_poisson_gradients_match_finite_differences(rng: np.random.Generator, output: str) -> None:
    net = gn.Network([3, 5, 2], activation="tanh", output_activation=output, loss="poisson",
                     dtype="float64", seed=2)  # fmt: skip
    X = rng.normal(size=(8, 3))
    Y = rng.poisson(2.0, size=(8, 2)).astype(float)  # counts, zeros included
    report = gn.gradcheck(net, X, Y)
    assert report.ok, str(report)


def test_poisson_cost_is_half_the_deviance() -> None:
    Y = np.array([[0.0], [2.0]])
    Z = np.log(np.array([[1.0], [4.0]]))
    O = np.exp(Z)
    exp = gn.activations.get_activation("exp")
    # row 1: 0 − 0 + 1 = 1;  row 2: 2·log(2/4) − 2 + 4 = 2 − 2·log 2
    expected = 1 + 2 - 2 * np.log(2)
    assert Poisson().cost(Z, O, Y, exp, 1.0) == pytest.approx(expected)
    assert gn.Network([2, 1], loss="poisson").output_activation.name == "exp"
