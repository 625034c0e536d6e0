"""Properties over random shapes and seeds."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import glassnet as gn

sizes_st = st.lists(st.integers(1, 9), min_size=2, max_size=5)


@settings(max_examples=50, deadline=None)
@given(sizes=sizes_st, n=st.integers(1, 12), seed=st.integers(0, 1000))
def test_output_shape_and_softmax_rows(sizes: list[int], n: int, seed: int) -> None:
    X = np.random.default_rng(seed).standard_normal((n, sizes[0]))
    net = gn.Network(sizes, loss="cross_entropy", seed=seed)
    O = net.forward(X)
    assert O.shape == (n, sizes[-1])
    np.testing.assert_allclose(O.sum(axis=1), 1, rtol=1e-5)
    for layer, (dW, dB) in zip(net.layers, net.gradients(X, np.zeros(n, dtype=int)), strict=True):
        assert dW.shape == layer.W.shape and dB.shape == layer.B.shape


@settings(max_examples=50, deadline=None)
@given(sizes=sizes_st, n=st.integers(1, 12), seed=st.integers(0, 1000))
def test_mean_is_sum_over_n(sizes: list[int], n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    X, Y = rng.standard_normal((n, sizes[0])), rng.standard_normal((n, sizes[-1]))
    mean = gn.Network(sizes, dtype="float64", seed=seed)
    total = gn.Network(sizes, dtype="float64", seed=seed, reduction="sum")
    assert np.isclose(mean.cost(X, Y) * n, total.cost(X, Y), rtol=1e-12)
