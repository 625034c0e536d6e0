"""For random sizes and depths, every traced matrix is the network's real one, shape and
values, and the trace's gradients are ``Network.gradients``."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import glassnet as gn

ACTIVATIONS = ["relu", "tanh", "sigmoid", "identity", "leaky_relu", "gelu"]
LOSSES = ["mse", "cross_entropy", "binary_cross_entropy"]


@settings(max_examples=30, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=6),
    n=st.integers(1, 5),
    activation=st.sampled_from(ACTIVATIONS),
    loss=st.sampled_from(LOSSES),
    reduction=st.sampled_from(["mean", "sum"]),
    seed=st.integers(0, 2**16),
)
def test_trace_shapes_are_the_real_arrays_and_gradients_match(
    sizes, n, activation, loss, reduction, seed
):
    net = gn.Network(sizes, activation=activation, loss=loss, reduction=reduction,
                     dtype="float64", seed=seed)  # fmt: skip
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, sizes[0]))
    o = sizes[-1]
    Y = np.eye(o)[rng.integers(0, o, n)] if loss == "cross_entropy" else rng.random((n, o))
    tr = net.trace(X, Y, learning_rate=0.1)

    # the layers still hold this pass: each traced matrix equals the real one, shape and values
    assert tr.step("X").shape == X.shape
    for layer in net.layers:
        l = layer.index
        for kind in ("W", "B", "Z", "A", "E", "dW", "dB"):
            real = getattr(layer, kind)
            step = tr.step(f"{kind}{l}")
            assert step.shape == real.shape, (step.name, step.shape, real.shape)
            assert_array_equal(step.values, real, err_msg=step.name)
            assert step.layer == l
        assert tr.step(f"W{l}_new").shape == layer.W.shape
        assert tr.step(f"dW{l}").shapes.startswith(str(layer.dW.shape))
    assert tr["O"] is tr[f"A{len(net.layers)}"]
    assert tr.step("Y").shape == (n, o)
    L = len(net.layers)
    expected = len(("X", "Y", "C")) + 9 * L  # W B Z A E dW dB W_new B_new per layer
    assert len(tr) == expected and len(set(tr.names)) == expected

    # and the traced matrices satisfy the equations among themselves (numpy, by hand)
    acts = [layer.activation for layer in net.layers]
    for l in range(1, L + 1):
        A_prev = tr[f"A{l - 1}"]
        assert_allclose(tr[f"Z{l}"], A_prev @ tr[f"W{l}"] + tr[f"B{l}"], rtol=1e-12, atol=1e-12)
        assert_allclose(tr[f"dW{l}"], A_prev.T @ tr[f"E{l}"], rtol=1e-10, atol=1e-12)
        assert_allclose(tr[f"dB{l}"], tr[f"E{l}"].sum(axis=0, keepdims=True), atol=1e-12)
        assert_allclose(tr[f"W{l}_new"], tr[f"W{l}"] - 0.1 * tr[f"dW{l}"], atol=1e-15)
        if l < L:  # hidden layers are elementwise: El = (E(l+1) @ W(l+1).T) * f'(Zl)
            df = acts[l - 1].df(tr[f"Z{l}"], tr[f"A{l}"])
            back = tr[f"E{l + 1}"] @ tr[f"W{l + 1}"].T
            assert_allclose(tr[f"E{l}"], back * df, rtol=1e-10, atol=1e-12)

    for (dW, dB), (gW, gB) in zip(tr.gradients(), net.gradients(X, Y), strict=True):
        assert_array_equal(dW, gW)
        assert_array_equal(dB, gB)
    for s in tr:  # every rendering names every quantity
        assert s.name in tr.table(values=False)
    assert tr.to_json().count('"name"') == expected
