"""Central finite differences against backward, for every activation × cost, every W, B and dX."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import glassnet as gn
from glassnet.activations import ACTIVATIONS

HIDDEN = sorted(ACTIVATIONS)
# each cost with the output activations it is checked with (fused and general paths)
COST_OUTPUTS = [
    ("mse", "identity"),
    ("mse", "sigmoid"),
    ("mse", "relu"),
    ("cross_entropy", "softmax"),
    ("cross_entropy", "sigmoid"),
    ("binary_cross_entropy", "sigmoid"),
    ("binary_cross_entropy", "softmax"),
]


def targets(loss: str, n: int, o: int, rng: np.random.Generator) -> np.ndarray:
    if loss == "cross_entropy":
        return rng.integers(0, o, size=n)
    if loss == "binary_cross_entropy":
        return rng.integers(0, 2, size=(n, o)).astype(float)
    return rng.standard_normal((n, o))


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize(("loss", "output"), COST_OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_every_activation_and_cost(hidden: str, loss: str, output: str, reduction: str) -> None:
    # a fixed seed per case (str hashes change per process); ReLU's kink at 0 makes a finite
    # difference wrong when some Z lies within h of 0, which a fixed draw avoids for certain
    rng = np.random.default_rng(zlib.crc32(f"{hidden}-{loss}-{output}".encode()))
    net = gn.Network(
        [3, 5, 4, 3],
        activation=hidden,
        output_activation=output,
        loss=loss,
        reduction=reduction,
        dtype="float64",
        seed=1,
    )
    X = rng.standard_normal((6, 3))
    Y = targets(loss, 6, 3, rng)
    report = gn.gradcheck(net, X, Y)
    assert report.ok, str(report)
    # the report covers every W and B and the input
    assert [c.name for c in report.checks] == ["dW1", "dB1", "dW2", "dB2", "dW3", "dB3", "dX"]


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=5),
    n=st.integers(1, 7),
    seed=st.integers(0, 2**31 - 1),
    cost=st.sampled_from(COST_OUTPUTS),
    hidden=st.sampled_from(["tanh", "sigmoid", "softplus", "gelu", "elu"]),
)
def test_random_networks(
    sizes: list[int], n: int, seed: int, cost: tuple[str, str], hidden: str
) -> None:
    loss, output = cost
    rng = np.random.default_rng(seed)
    net = gn.Network(
        sizes, activation=hidden, output_activation=output, loss=loss, dtype="float64", seed=seed
    )
    X = rng.standard_normal((n, sizes[0]))
    report = gn.gradcheck(net, X, targets(loss, n, sizes[-1], rng))
    assert report.ok, str(report)


def test_gradcheck_catches_a_wrong_gradient() -> None:
    class WrongTanh(gn.activations.Tanh):
        def df(self, Z, A):  # type: ignore[no-untyped-def]
            return 1 - A  # the true derivative is 1 - A**2

    rng = np.random.default_rng(0)
    net = gn.Network([3, 4, 2], activation=WrongTanh(), dtype="float64")
    report = gn.gradcheck(net, rng.standard_normal((5, 3)), rng.standard_normal((5, 2)))
    assert not report.ok
    assert "MISMATCH" in str(report)


def test_gradcheck_leaves_a_float32_network_unchanged() -> None:
    rng = np.random.default_rng(0)
    net = gn.Network([3, 4, 2])
    before = net.P.copy()
    assert gn.gradcheck(net, rng.standard_normal((5, 3)), rng.standard_normal((5, 2)))
    np.testing.assert_array_equal(net.P, before)
    assert net.dtype == np.float32
