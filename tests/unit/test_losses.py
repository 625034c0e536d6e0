"""Each Loss knows itself: its targets, its prediction, its fused error and its C'(O) text."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.activations import get_activation
from glassnet.losses import LOSSES, get_loss


def test_cross_entropy_labels_become_one_hot_rows() -> None:
    Y = get_loss("cross_entropy").targets(np.array([2, 0, 1]), 3, np.dtype("float64"))
    np.testing.assert_array_equal(Y, np.eye(3)[[2, 0, 1]])


def test_cross_entropy_refuses_a_label_outside_the_classes() -> None:
    with pytest.raises(ValueError, match=r"label 3 at row 1, outside 0\.\.2"):
        get_loss("cross_entropy").targets(np.array([0, 3]), 3, np.dtype("float64"))


@pytest.mark.parametrize(
    ("loss", "bad"), [("binary_cross_entropy", [[1.5]]), ("poisson", [[-1.0]])]
)
def test_targets_outside_the_loss_range_are_refused(loss: str, bad: list[list[float]]) -> None:
    with pytest.raises(ValueError, match=loss):
        get_loss(loss).targets(np.array(bad), 1, np.dtype("float64"))


def test_predictions_follow_the_loss() -> None:
    O = np.array([[0.2, 0.8], [0.7, 0.3]])
    np.testing.assert_array_equal(get_loss("cross_entropy").predict(O), [1, 0])
    np.testing.assert_array_equal(get_loss("binary_cross_entropy").predict(O), [[0, 1], [1, 0]])
    np.testing.assert_array_equal(get_loss("mse").predict(O), O)


def test_one_sigmoid_unit_gives_two_class_probabilities() -> None:
    bce = get_loss("binary_cross_entropy")
    np.testing.assert_allclose(bce.probabilities(np.array([[0.25]])), [[0.75, 0.25]])
    assert bce.n_classes(1) == 2 and bce.n_classes(3) == 3


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_the_fused_error_equals_the_chain_rule(name: str, rng: np.random.Generator) -> None:
    """Where is_fused says EL = scale · (O − Y), it equals C'(O) * f'(ZL) computed in full."""
    loss = get_loss(name)
    f = get_activation(loss.default_output)
    Z = rng.standard_normal((5, 3))
    O = f.f(Z)
    Y = loss.example_targets(rng, 5, 3)
    if name == "cross_entropy":
        assert loss.is_fused(f)
    full = f.backward(loss.dO(O, Y, 0.2), Z, O)
    np.testing.assert_allclose(loss.error(Z, O, Y, f, 0.2), full, rtol=1e-10, atol=1e-12)
    out = np.empty_like(Z)
    np.testing.assert_allclose(loss.error_into(Z, O, Y, f, 0.2, out), full, atol=1e-12)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_example_targets_pass_the_networks_check(name: str, rng: np.random.Generator) -> None:
    net = gn.Network([2, 3], loss=name, dtype="float64")
    Y = net.loss.example_targets(rng, 4, 3)
    assert net.check(rng.standard_normal((4, 2)), Y)[1].shape == (4, 3)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("spread", [1.0, 200.0])  # 200: a saturated softmax, some O = 0
def test_cross_entropy_cost_equals_log_sum_exp(dtype: str, spread: float) -> None:
    """C = −scale · Σ Y · (Z − logsumexp(Z)), whether the cost is taken from log O (no
    probability underflowed) or from Z (some did), and 0 for an empty batch."""
    rng = np.random.default_rng(0)
    Z = (spread * rng.standard_normal((50, 10))).astype(dtype)
    Y = np.eye(10, dtype=dtype)[rng.integers(0, 10, 50)]
    softmax, loss = get_activation("softmax"), get_loss("cross_entropy")
    O = softmax.f(Z)
    Z64 = Z.astype(np.float64)
    lse = Z64.max(axis=1, keepdims=True)
    lse = lse + np.log(np.exp(Z64 - lse).sum(axis=1, keepdims=True))
    expected = -float(np.sum(Y * (Z64 - lse))) / 50
    assert (O.min() == 0) == (spread > 100)
    C = loss.cost(Z, O, Y, softmax, 1 / 50)
    assert np.isfinite(C)
    np.testing.assert_allclose(C, expected, rtol=1e-5 if dtype == "float32" else 1e-12)
    empty = np.empty((0, 10), dtype)
    assert loss.cost(empty, empty, empty, softmax, 1.0) == 0.0
