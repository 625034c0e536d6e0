"""The seed's network, worked by hand with the tutorial's three equations."""

from __future__ import annotations

import numpy as np

import glassnet as gn


def relu(Z: np.ndarray) -> np.ndarray:
    return np.maximum(Z, 0)


def relu_prime(Z: np.ndarray) -> np.ndarray:
    return (Z > 0).astype(float)


def test_the_seed_network_is_the_tutorials() -> None:
    net, X, Y = gn.datasets.seed_example()
    assert net.sizes == [1, 2, 2]
    assert [l.activation.name for l in net.layers] == ["relu", "relu"]
    assert net.reduction == "sum"
    assert X.shape == (3, 1) and Y.shape == (3, 2)
    Wh, Bh, Wo, Bo = net.layers[0].W, net.layers[0].B, net.layers[1].W, net.layers[1].B
    assert Wh.shape == (1, 2) and Bh.shape == (1, 2) and Wo.shape == (2, 2) and Bo.shape == (1, 2)
    np.testing.assert_array_equal(Bh, [[0.1, 0.1]])
    np.testing.assert_array_equal(Bo, [[0.1, 0.1]])
    # He initialisation: the seed's randn(i, o) * sqrt(2 / i) from the example's generator
    rng = np.random.default_rng(gn.datasets.SEED_INIT)
    np.testing.assert_array_equal(Wh, rng.standard_normal((1, 2)) * np.sqrt(2 / 1))
    np.testing.assert_array_equal(Wo, rng.standard_normal((2, 2)) * np.sqrt(2 / 2))


def test_one_forward_backward_and_descent_step_by_hand() -> None:
    net, X, Y = gn.datasets.seed_example()
    Wh, Bh = net.layers[0].W.copy(), net.layers[0].B.copy()
    Wo, Bo = net.layers[1].W.copy(), net.layers[1].B.copy()

    # forward propagation: the nested functions R(R(X Wh + Bh) Wo + Bo)
    Zh = X @ Wh + Bh  # (3, 2): the seed's table says (1, 2); it is 3 samples by 2 units
    H = relu(Zh)
    Zo = H @ Wo + Bo
    O = relu(Zo)
    C = 0.5 * np.sum((O - Y) ** 2)
    assert Zh.shape == (3, 2)

    # the three equations of backpropagation
    Eo = (O - Y) * relu_prime(Zo)  # output layer error
    Eh = (Eo @ Wo.T) * relu_prime(Zh)  # hidden layer error
    dWo, dWh = H.T @ Eo, X.T @ Eh  # error · input of each layer
    dBo, dBh = Eo.sum(axis=0, keepdims=True), Eh.sum(axis=0, keepdims=True)

    np.testing.assert_allclose(net.forward(X), O, rtol=1e-15)
    assert net.cost(X, Y) == C
    (g_Wh, g_Bh), (g_Wo, g_Bo) = net.gradients(X, Y)
    for ours, theirs in [(g_Wh, dWh), (g_Bh, dBh), (g_Wo, dWo), (g_Bo, dBo)]:
        np.testing.assert_allclose(ours, theirs, rtol=1e-15)

    # gradient descent: W ← W − η dW, through fit (one step on the whole batch)
    eta = 0.01
    net.fit(X, Y, epochs=1, batch_size=None, optimizer="sgd", learning_rate=eta, shuffle=False)
    np.testing.assert_allclose(net.layers[0].W, Wh - eta * dWh, rtol=1e-15)
    np.testing.assert_allclose(net.layers[0].B, Bh - eta * dBh, rtol=1e-15)
    np.testing.assert_allclose(net.layers[1].W, Wo - eta * dWo, rtol=1e-15)
    np.testing.assert_allclose(net.layers[1].B, Bo - eta * dBo, rtol=1e-15)


def test_the_seed_network_learns() -> None:
    net, X, Y = gn.datasets.seed_example()
    history = net.fit(X, Y, epochs=50, batch_size=None, optimizer="sgd", learning_rate=0.01)
    assert history.loss[-1] < 0.02 * history.loss[0]
