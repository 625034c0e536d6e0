"""Network structure: the flat parameter vector, names, initialisation, predict."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn


def test_weights_and_biases_are_views_of_one_flat_vector() -> None:
    net = gn.Network([3, 5, 2])
    assert net.P.ndim == 1 and net.P.flags["C_CONTIGUOUS"]
    assert net.n_params == 3 * 5 + 5 + 5 * 2 + 2
    for layer in net.layers:
        assert np.shares_memory(layer.W, net.P) and np.shares_memory(layer.B, net.P)
        assert np.shares_memory(layer.dW, net.G) and np.shares_memory(layer.dB, net.G)
    net.P[:] = np.arange(net.n_params)
    np.testing.assert_array_equal(net.layers[0].W.ravel(), np.arange(15))
    np.testing.assert_array_equal(net.layers[0].B.ravel(), np.arange(15, 20))


def test_params_and_grads_share_names_and_order() -> None:
    net = gn.Network([3, 5, 2])
    names = ["layer1.W", "layer1.B", "layer2.W", "layer2.B"]
    assert [n for n, _ in net.params()] == names
    assert [n for n, _ in net.grads()] == names
    assert [m.shape for _, m in net.params()] == [m.shape for _, m in net.grads()]


def test_initialisation_he_for_relu_glorot_otherwise() -> None:
    wide = gn.Network([400, 400, 400, 1], activation=["relu", "tanh"], dtype="float64")
    W1, W2 = wide.layers[0].W, wide.layers[1].W
    assert W1.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)  # He
    assert np.abs(W2).max() <= np.sqrt(6 / 800)  # Glorot uniform
    assert W2.std() == pytest.approx(np.sqrt(6 / 800) / np.sqrt(3), rel=0.02)


def test_same_seed_same_weights_in_both_dtypes() -> None:
    a = gn.Network([4, 6, 2], seed=3, dtype="float64")
    b = gn.Network([4, 6, 2], seed=3, dtype="float32")
    np.testing.assert_allclose(a.P, b.P, rtol=1e-6)
    assert b.P.dtype == np.float32
    assert not np.array_equal(a.P, gn.Network([4, 6, 2], seed=4, dtype="float64").P)


def test_output_activation_follows_the_loss() -> None:
    assert gn.Network([2, 3], loss="mse").output_activation.name == "identity"
    assert gn.Network([2, 3], loss="cross_entropy").output_activation.name == "softmax"
    assert gn.Network([2, 3], loss="binary_cross_entropy").output_activation.name == "sigmoid"


def test_per_layer_activations() -> None:
    net = gn.Network([2, 3, 4, 5, 1], activation=["relu", "tanh", "gelu"])
    assert [l.activation.name for l in net.layers] == ["relu", "tanh", "gelu", "identity"]


def test_predict_by_loss(rng: np.random.Generator) -> None:
    X = rng.standard_normal((7, 2))
    assert gn.Network([2, 3], loss="cross_entropy").predict(X).shape == (7,)
    p = gn.Network([2, 3], loss="binary_cross_entropy").predict(X)
    assert p.shape == (7, 3) and set(np.unique(p)) <= {0, 1}
    assert gn.Network([2, 3]).predict(X).shape == (7, 3)


def test_float32_computes_in_float32(rng: np.random.Generator) -> None:
    net = gn.Network([2, 3, 1])
    assert net.forward(rng.standard_normal((4, 2))).dtype == np.float32


def test_astype_and_copy_are_independent() -> None:
    net = gn.Network([2, 3, 1])
    other = net.astype("float64")
    other.P[:] = 0
    assert net.P.any()
    assert np.shares_memory(other.layers[0].W, other.P)
    clone = net.copy()
    clone.layers[0].W[...] = 7
    assert not np.shares_memory(clone.P, net.P)
    assert (clone.P[:6] == 7).all() and not (net.P[:6] == 7).all()


def test_repr_names_the_architecture() -> None:
    r = repr(gn.Network([4, 8, 3], loss="cross_entropy"))
    assert "Network([4, 8, 3]" in r and "softmax" in r and "params=67" in r
