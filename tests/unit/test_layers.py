"""The training step of the layers computes the plain equations: buffers, fused errors.

The reference here is the seed's maths written the straightforward way in float64, with a
fresh array for every matrix, and compared with what the optimised step leaves in G, in each
layer's Z, A and E, and in the parameters after fit.
"""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet._validation import check_X

F = {
    "relu": lambda Z: np.maximum(Z, 0),
    "tanh": np.tanh,
    "sigmoid": lambda Z: 1 / (1 + np.exp(-Z)),
    "identity": lambda Z: Z,
}
DF = {
    "relu": lambda Z: (Z > 0).astype(float),
    "tanh": lambda Z: 1 - np.tanh(Z) ** 2,
    "sigmoid": lambda Z: F["sigmoid"](Z) * (1 - F["sigmoid"](Z)),
    "identity": lambda Z: np.ones_like(Z),
}


def softmax(Z):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def reference(net, X, Y, scale):
    """C, [dW, dB] per layer, and the Z, A, E per layer, by the seed's equations."""
    hidden = [a.name for a in net.activations]
    out_name = net.output_activation.name
    As, Zs = [X], []
    for k, layer in enumerate(net.layers):
        Z = As[-1] @ layer.W + layer.B
        A = softmax(Z) if out_name == "softmax" and k == len(net.layers) - 1 else None
        if A is None:
            A = F[hidden[k] if k < len(hidden) else out_name](Z)
        Zs.append(Z)
        As.append(A)
    O, ZL = As[-1], Zs[-1]
    s = scale if np.ndim(scale) else np.full((len(X), 1), scale)
    if net.loss.name == "mse":
        C = float(np.sum(s * 0.5 * ((O - Y) ** 2).sum(axis=1, keepdims=True)))
        E = s * (O - Y) * DF[out_name](ZL)
    elif net.loss.name == "cross_entropy":
        C = float(-np.sum(s * (Y * np.log(O)).sum(axis=1, keepdims=True)))
        E = s * (O - Y)  # softmax + cross-entropy
    else:
        C = float(
            -np.sum(s * (Y * np.log(O) + (1 - Y) * np.log(1 - O)).sum(axis=1, keepdims=True))
        )
        E = s * (O - Y)  # sigmoid + binary cross-entropy
    grads, Es = [], [E]
    for k in range(len(net.layers) - 1, -1, -1):
        grads.append((As[k].T @ E, E.sum(axis=0, keepdims=True)))
        if k:
            E = (E @ net.layers[k].W.T) * DF[hidden[k - 1]](Zs[k - 1])
            Es.append(E)
    return C, grads[::-1], Zs, As[1:], Es[::-1]


NETS = [
    ([3, 5, 4, 2], "relu", "mse"),
    ([3, 6, 3], "tanh", "cross_entropy"),
    ([4, 5, 2], "sigmoid", "binary_cross_entropy"),
    ([2, 7, 7, 3], ["relu", "tanh"], "cross_entropy"),
]


def data(sizes, loss, n, rng):
    X = rng.standard_normal((n, sizes[0]))
    if loss == "cross_entropy":
        Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]
    else:
        Y = rng.random((n, sizes[-1]))
    return X, Y


@pytest.mark.parametrize("sizes, activation, loss", NETS)
def test_gradient_and_matrices_match_the_plain_equations(sizes, activation, loss, rng):
    net = gn.Network(sizes, activation=activation, loss=loss, dtype="float64", seed=3)
    for n in (7, 3, 7, 1):  # buffers for a new batch size, then back to an old one
        X, Y = data(sizes, loss, n, rng)
        C = net.loss_and_gradient(X, Y, 1.0 / n)
        C_ref, grads, Zs, As, Es = reference(net, X, Y, 1.0 / n)
        assert C == pytest.approx(C_ref, rel=1e-12)
        for layer, (dW, dB), Z, A, E in zip(net.layers, grads, Zs, As, Es, strict=True):
            np.testing.assert_allclose(layer.dW, dW, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(layer.dB, dB, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(layer.Z, Z, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(layer.A, A, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(layer.E, E, rtol=1e-12, atol=1e-15)


def test_sample_weights_and_sum_reduction_match(rng):
    net = gn.Network([3, 4, 2], loss="mse", reduction="sum", dtype="float64", seed=1)
    X, Y = data([3, 4, 2], "mse", 5, rng)
    w = rng.random((5, 1))
    C = net.loss_and_gradient(X, Y, w)
    C_ref, grads, *_ = reference(net, X, Y, w)
    assert C == pytest.approx(C_ref, rel=1e-12)
    for layer, (dW, dB) in zip(net.layers, grads, strict=True):
        np.testing.assert_allclose(layer.dW, dW, rtol=1e-12)
        np.testing.assert_allclose(layer.dB, dB, rtol=1e-12)


def test_buffers_are_reused_per_batch_size(rng):
    net = gn.Network([3, 4, 2], dtype="float64")
    X, Y = data([3, 4, 2], "mse", 6, rng)
    net.loss_and_gradient(X, Y, 1 / 6)
    Z, E = net.layers[0].Z, net.layers[0].E
    net.loss_and_gradient(X[:2], Y[:2], 1 / 2)
    assert net.layers[0].Z.shape == (2, 4) and net.layers[0].E.shape == (2, 4)
    net.loss_and_gradient(X, Y, 1 / 6)
    assert net.layers[0].Z is Z and net.layers[0].E is E  # the same memory, overwritten


def test_forward_and_input_gradient_return_fresh_arrays(rng):
    net = gn.Network([3, 4, 2], dtype="float64")
    X1, Y1 = data([3, 4, 2], "mse", 5, rng)
    X2, Y2 = data([3, 4, 2], "mse", 5, rng)
    O1 = net.forward(X1)
    O1_copy = O1.copy()
    net.forward(X2)
    net.loss_and_gradient(X2, Y2, 0.2)
    np.testing.assert_array_equal(O1, O1_copy)
    dX1 = net.input_gradient(X1, Y1)
    dX1_copy = dX1.copy()
    net.input_gradient(X2, Y2)
    np.testing.assert_array_equal(dX1, dX1_copy)


def test_fit_with_a_last_partial_batch_follows_the_plain_steps(rng):
    """10 rows in batches of 4: steps on 4, 4 and 2 rows, each the plain equations."""
    sizes = [3, 5, 3]
    net = gn.Network(sizes, activation="tanh", loss="cross_entropy", dtype="float64", seed=2)
    X, Y = data(sizes, "cross_entropy", 10, rng)
    start = net.P.copy()
    history = net.fit(
        X, Y, epochs=2, batch_size=4, optimizer="sgd", learning_rate=0.5, shuffle=False
    )
    plain = gn.Network(sizes, activation="tanh", loss="cross_entropy", dtype="float64", seed=2)
    np.testing.assert_array_equal(plain.P, start)
    correct = 0
    for epoch in range(2):
        for a, b in ((0, 4), (4, 8), (8, 10)):
            _, grads, _, As, _ = reference(plain, X[a:b], Y[a:b], 1 / (b - a))
            for layer, (dW, dB) in zip(plain.layers, grads, strict=True):
                layer.W -= 0.5 * dW
                layer.B -= 0.5 * dB
            if epoch == 1:
                correct += np.sum(As[-1].argmax(axis=1) == Y[a:b].argmax(axis=1))
    np.testing.assert_allclose(net.P, plain.P, rtol=1e-12, atol=1e-14)
    assert history["accuracy"][1] == pytest.approx(correct / 10)


def test_finite_check_catches_nan_and_inf_and_accepts_an_overflowing_sum():
    net = gn.Network([3, 2])
    X = np.full((4, 3), 3e38, dtype=np.float32)  # finite, though its sum overflows
    assert check_X(net, X) is X
    for bad in (np.nan, np.inf, -np.inf):
        X[2, 1] = bad
        with pytest.raises(ValueError, match="row 2, column 1"):
            check_X(net, X)


def test_copies_in_another_dtype_get_their_own_buffers(rng):
    net = gn.Network([3, 4, 2], loss="cross_entropy", dtype="float32")
    X, Y = data([3, 4, 2], "cross_entropy", 6, rng)
    net.fit(X, Y, epochs=2, batch_size=3)
    assert gn.gradcheck(net, X, Y).ok  # runs on a float64 copy
    net64 = net.astype("float64")
    net64.loss_and_gradient(X, Y, 1 / 6)
    assert net64.layers[0].Z.dtype == np.float64
    assert net.copy().layers[0]._buffers == {}
