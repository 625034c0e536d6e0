"""The same networks in PyTorch: forward, cost, every gradient, and 5 steps of each optimizer."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import glassnet as gn

torch.set_default_dtype(torch.float64)
RTOL = 1e-9

TORCH_ACT = {
    "relu": torch.nn.ReLU(),
    "leaky_relu": torch.nn.LeakyReLU(0.01),
    "elu": torch.nn.ELU(1.0),
    "sigmoid": torch.nn.Sigmoid(),
    "tanh": torch.nn.Tanh(),
    "softplus": torch.nn.Softplus(),
    "gelu": torch.nn.GELU(approximate="tanh"),
    "softmax": torch.nn.Softmax(dim=1),
    "identity": torch.nn.Identity(),
}


def torch_net(net: gn.Network) -> torch.nn.Sequential:
    """The glassnet network as nn.Sequential, W.T loaded into each nn.Linear."""
    mods: list[torch.nn.Module] = []
    for layer in net.layers:
        lin = torch.nn.Linear(layer.fan_in, layer.fan_out)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(layer.W.T.copy()))
            lin.bias.copy_(torch.from_numpy(layer.B.ravel().copy()))
        mods += [lin, TORCH_ACT[layer.activation.name]]
    return torch.nn.Sequential(*mods)


def torch_cost(loss: str, O: torch.Tensor, Y: np.ndarray, reduction: str) -> torch.Tensor:
    n = O.shape[0]
    Yt = torch.from_numpy(Y)
    if loss == "mse":
        total = 0.5 * ((O - Yt) ** 2).sum()
    elif loss == "cross_entropy":
        total = -(Yt * torch.log(O)).sum()
    else:
        total = torch.nn.functional.binary_cross_entropy(O, Yt, reduction="sum")
    return total / n if reduction == "mean" else total


def assert_close(a: np.ndarray, b: np.ndarray) -> None:
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-12)


def one_hot(labels: np.ndarray, k: int) -> np.ndarray:
    return np.eye(k)[labels]


CASES = [
    ("mse", "identity", "relu"),
    ("mse", "relu", "tanh"),
    ("mse", "sigmoid", "gelu"),
    ("cross_entropy", "softmax", "relu"),
    ("cross_entropy", "softmax", "elu"),
    ("cross_entropy", "softmax", "softplus"),
    ("binary_cross_entropy", "sigmoid", "leaky_relu"),
    ("binary_cross_entropy", "sigmoid", "sigmoid"),
    ("mse", "softmax", "identity"),
]


def make_case(loss: str, output: str, hidden: str, reduction: str = "mean"):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(7)
    net = gn.Network(
        [5, 7, 6, 4],
        activation=hidden,
        output_activation=output,
        loss=loss,
        reduction=reduction,
        dtype="float64",
        seed=3,
    )
    X = rng.standard_normal((11, 5))
    if loss == "cross_entropy":
        Y = one_hot(rng.integers(0, 4, size=11), 4)
    elif loss == "binary_cross_entropy":
        Y = rng.integers(0, 2, size=(11, 4)).astype(float)
    else:
        Y = rng.standard_normal((11, 4))
    return net, X, Y


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize(("loss", "output", "hidden"), CASES)
def test_forward_cost_and_gradients(loss: str, output: str, hidden: str, reduction: str) -> None:
    net, X, Y = make_case(loss, output, hidden, reduction)
    tnet = torch_net(net)
    O = tnet(torch.from_numpy(X))
    C = torch_cost(loss, O, Y, reduction)
    C.backward()
    assert_close(net.forward(X), O.detach().numpy())
    assert net.cost(X, Y) == pytest.approx(C.item(), rel=RTOL)
    linears = [m for m in tnet if isinstance(m, torch.nn.Linear)]
    for (dW, dB), lin in zip(net.gradients(X, Y), linears, strict=True):
        assert_close(dW, lin.weight.grad.numpy().T)
        assert_close(dB.ravel(), lin.bias.grad.numpy())


def test_input_gradient_matches_torch() -> None:
    net, X, Y = make_case("cross_entropy", "softmax", "tanh")
    Xt = torch.from_numpy(X).requires_grad_(True)
    torch_cost("cross_entropy", torch_net(net)(Xt), Y, "mean").backward()
    assert_close(net.input_gradient(X, Y), Xt.grad.numpy())


OPTIMIZERS = [
    (lambda: gn.SGD(0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    (lambda: gn.SGD(0.1, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    (
        lambda: gn.SGD(0.1, momentum=0.9, nesterov=True),
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    ),
    (
        lambda: gn.SGD(0.05, momentum=0.5, weight_decay=0.01),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.5, weight_decay=0.01),
    ),
    (lambda: gn.Adam(0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
    (
        lambda: gn.Adam(0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
        lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
    ),
    (lambda: gn.AdamW(0.01), lambda p: torch.optim.AdamW(p, lr=0.01)),
    (
        lambda: gn.AdamW(0.02, weight_decay=0.1),
        lambda p: torch.optim.AdamW(p, lr=0.02, weight_decay=0.1),
    ),
    (lambda: gn.RMSprop(0.01), lambda p: torch.optim.RMSprop(p, lr=0.01)),
    (
        lambda: gn.RMSprop(0.01, momentum=0.9, centered=True),
        lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.9, centered=True),
    ),
]


@pytest.mark.parametrize(("ours", "theirs"), OPTIMIZERS)
def test_five_optimizer_steps(ours, theirs) -> None:  # type: ignore[no-untyped-def]
    net, X, Y = make_case("cross_entropy", "softmax", "tanh")
    tnet = torch_net(net)
    linears = [m for m in tnet if isinstance(m, torch.nn.Linear)]
    opt, topt = ours(), theirs(tnet.parameters())
    Xc, Yc, scale = net.check(X, Y)
    for _ in range(5):
        net.loss_and_gradient(Xc, Yc, scale)
        opt.step(net.P, net.G)
        topt.zero_grad()
        torch_cost("cross_entropy", tnet(torch.from_numpy(X)), Y, "mean").backward()
        topt.step()
    for layer, lin in zip(net.layers, linears, strict=True):
        assert_close(layer.W, lin.weight.detach().numpy().T)
        assert_close(layer.B.ravel(), lin.bias.detach().numpy())


def test_fit_with_sgd_equals_torch_full_batch_loop() -> None:
    """fit's loop (no shuffling, whole batch, L2 alpha) is torch's SGD with weight_decay."""
    net, X, Y = make_case("mse", "identity", "relu")
    tnet = torch_net(net)
    topt = torch.optim.SGD(tnet.parameters(), lr=0.05, momentum=0.9, weight_decay=0.01)
    net.fit(
        X,
        Y,
        epochs=5,
        batch_size=None,
        shuffle=False,
        alpha=0.01,
        optimizer=gn.SGD(0.05, momentum=0.9),
    )
    for _ in range(5):
        topt.zero_grad()
        O = tnet(torch.from_numpy(X))
        # torch's weight_decay also decays the biases; glassnet's alpha does not: undo that
        C = torch_cost("mse", O, Y, "mean")
        C.backward()
        for m in tnet:
            if isinstance(m, torch.nn.Linear):
                m.bias.grad -= 0.01 * m.bias.detach()
        topt.step()
    linears = [m for m in tnet if isinstance(m, torch.nn.Linear)]
    for layer, lin in zip(net.layers, linears, strict=True):
        assert_close(layer.W, lin.weight.detach().numpy().T)
        assert_close(layer.B.ravel(), lin.bias.detach().numpy())
