"""save → load is exact for random architectures, dtypes and weights."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import glassnet as gn
from glassnet.activations import ACTIVATIONS

# exp is an output activation (Poisson): stacked as a hidden one it overflows on weights * 10
hidden_acts = sorted(a for a in ACTIVATIONS if a not in ("softmax", "exp"))


@settings(max_examples=50, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=5),
    act=st.sampled_from(hidden_acts),
    loss=st.sampled_from(["mse", "cross_entropy", "binary_cross_entropy"]),
    dtype=st.sampled_from(["float32", "float64"]),
    seed=st.integers(0, 2**31),
)
def test_save_load_exact(sizes: list[int], act: str, loss: str, dtype: str, seed: int) -> None:
    net = gn.Network(sizes, activation=act, loss=loss, dtype=dtype, seed=seed)
    net.P[...] = np.random.default_rng(seed).standard_normal(net.P.size) * 10
    with tempfile.TemporaryDirectory() as d:
        again = gn.load(net.save(Path(d) / "m.safetensors"))
    assert again.P.dtype == net.P.dtype and again.sizes == net.sizes
    np.testing.assert_array_equal(again.P, net.P)
    X = np.random.default_rng(seed + 1).standard_normal((3, sizes[0]))
    np.testing.assert_array_equal(again.forward(X), net.forward(X))
