"""Activations and losses: values, numerical safety, registry errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import glassnet as gn
from glassnet.activations import ACTIVATIONS, SIGN_BELOW, get_activation

Z = np.array([[-1000.0, -2.0, 0.0, 0.5, 3.0, 1000.0]])


# exp grows without bound by definition; it serves as the Poisson output, whose cost and
# error are computed from Z (tests/gradcheck/test_poisson.py)
@pytest.mark.parametrize("name", sorted(set(ACTIVATIONS) - {"exp"}))
def test_every_activation_is_finite_at_extremes(name: str) -> None:
    act = get_activation(name)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        A = act.f(Z)
        dA = act.df(Z, A)
    assert np.isfinite(A).all() and np.isfinite(dA).all()
    assert A.shape == Z.shape


def test_known_values() -> None:
    z = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_allclose(get_activation("relu").f(z), [[0, 0, 3]])
    np.testing.assert_allclose(get_activation("sigmoid").f(z), 1 / (1 + np.exp(-z)))
    np.testing.assert_allclose(get_activation("tanh").f(z), np.tanh(z))
    np.testing.assert_allclose(get_activation("softplus").f(z), np.log1p(np.exp(z)))
    np.testing.assert_allclose(get_activation("leaky_relu").f(z), [[-0.02, 0, 3]])
    np.testing.assert_allclose(get_activation("elu").f(z), [[np.expm1(-2), 0, 3]])
    s = get_activation("softmax").f(z)
    np.testing.assert_allclose(s, np.exp(z) / np.exp(z).sum())
    assert get_activation("logistic").name == "sigmoid"


def test_custom_activation_instances_are_accepted() -> None:
    class Square(gn.Activation):
        name = "square"

        def f(self, Z):  # type: ignore[no-untyped-def]
            return Z * Z

        def df(self, Z, A):  # type: ignore[no-untyped-def]
            return 2 * Z

    net = gn.Network([2, 3, 1], activation=Square(), dtype="float64")
    X, Y = np.ones((2, 2)), np.zeros((2, 1))
    assert gn.gradcheck(net, X, Y)


def test_cross_entropy_is_safe_when_softmax_saturates() -> None:
    net = gn.Network([1, 2], loss="cross_entropy", dtype="float64")
    net.layers[0].W[...] = [[1000.0, -1000.0]]
    C = net.cost(np.array([[1.0]]), np.array([1]))
    assert C == pytest.approx(2000.0)  # exact, not log(0) = inf


def test_binary_cross_entropy_is_safe_when_sigmoid_saturates() -> None:
    net = gn.Network([1, 1], loss="binary_cross_entropy", dtype="float64")
    net.layers[0].W[...] = 800.0
    assert net.cost(np.array([[1.0]]), np.array([[0.0]])) == pytest.approx(800.0)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_the_out_forms_write_the_same_values(name: str) -> None:
    """f(Z, out=...) and df(Z, A, out=...) fill the buffer with what f(Z) and df(Z, A)
    return, and backward (derived from df) is dA * f'(Z) either way."""
    act = get_activation(name)
    rng = np.random.default_rng(0)
    Zs = rng.standard_normal((5, 4)).astype(np.float32)
    A = act.f(Zs)
    out = np.empty_like(Zs)
    assert act.f(Zs, out=out) is out
    np.testing.assert_allclose(out, A, rtol=1e-6)
    assert act.df(Zs, A, out=out) is out and out.dtype == np.float32
    np.testing.assert_allclose(out, act.df(Zs, A), rtol=1e-6)
    dA = rng.standard_normal(Zs.shape).astype(np.float32)
    E = act.backward(dA, Zs, A)
    np.testing.assert_allclose(act.backward(dA, Zs, A, out=out), E, rtol=1e-6)
    np.testing.assert_allclose(act.backward(dA, Zs, A, out=dA), E, rtol=1e-6)  # out is dA


@pytest.mark.parametrize("size", [6, SIGN_BELOW - 1, SIGN_BELOW, 4 * SIGN_BELOW])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_derivative_is_exactly_z_above_zero_either_side_of_sign_below(
    size: int, dtype: type
) -> None:
    """Small matrices take f'(Z) = sign(A), big ones Z > 0: the same ones and zeros."""
    relu = get_activation("relu")
    Z = np.random.default_rng(size).standard_normal((1, size)).astype(dtype)
    Z[0, :3] = [0.0, -0.0, 1e-30]  # the edges: zero of either sign, a tiny positive
    A = relu.f(Z)
    want = (Z > 0).astype(dtype)
    out = np.full_like(Z, np.nan)
    np.testing.assert_array_equal(relu.df(Z, A, out=out), want)
    assert out.dtype == dtype
    np.testing.assert_array_equal(relu.df(Z, A), want)
    assert relu.df(Z, A).dtype == dtype


@pytest.mark.parametrize("width", [1, 10, 32, 33, 200])
@pytest.mark.parametrize("rows", [0, 1, 200])
def test_row_max_and_row_sum_equal_numpys_reductions(width: int, rows: int) -> None:
    """The narrow-matrix forms (a transposed copy, a product with ones) give NumPy's values."""
    from glassnet.activations import row_max, row_sum

    M = np.random.default_rng(width).standard_normal((rows, width))
    np.testing.assert_array_equal(row_max(M), M.max(axis=1, keepdims=True))
    np.testing.assert_allclose(row_sum(M), M.sum(axis=1, keepdims=True), rtol=1e-12, atol=1e-12)
    assert row_max(M).shape == row_sum(M).shape == (rows, 1)


def test_the_kept_vector_of_ones_cannot_be_changed() -> None:
    """dB = 1ᵀ·E and row sums share one vector of ones per size and dtype: read-only."""
    from glassnet.activations import ones

    v = ones(5, np.dtype(np.float32))
    assert v is ones(5, np.dtype(np.float32)) and v.dtype == np.float32
    np.testing.assert_array_equal(v, 1.0)
    with pytest.raises(ValueError, match="read-only"):
        v[0] = 2.0


@pytest.mark.parametrize("width", [2, 5, 32, 33, 40])
def test_softmax_sums_no_blas_vector_product(monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    # CI's CPU once had OpenBLAS raise the "invalid" flag on the (2, 5) float32 row sums of a
    # softmax of finite numbers (NumPy: "invalid value encountered in dot"); here a
    # matrix-vector product that raises the same flag stands in for that kernel
    real_dot = np.dot

    def flagging_dot(*args: Any, **kwargs: Any) -> Any:
        if any(np.ndim(a) == 1 for a in args):
            np.multiply(np.float32(np.inf), np.float32(0))  # sets FE_INVALID, as the kernel did
        return real_dot(*args, **kwargs)

    monkeypatch.setattr(np, "dot", flagging_dot)
    Z = np.random.default_rng(0).standard_normal((2, width)).astype(np.float32) * 5
    with np.errstate(invalid="raise"):
        A = get_activation("softmax").f(Z)
        P = gn.Network([1, width], loss="cross_entropy", seed=0).forward(Z[:, :1])
    e = np.exp(Z.astype(np.float64) - Z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(A, e / e.sum(axis=1, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(P.sum(axis=1), 1, rtol=1e-6)
