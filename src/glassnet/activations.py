"""Activation functions: f(Z) beside f'(Z), one small class each, and a registry by name.

Every activation computes ``A = f(Z)`` and the layer error ``E = dA * f'(Z)``.
``df`` takes ``Z`` and, where it is cheaper, the already computed ``A`` as well.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from glassnet._typing import Array


class Activation:
    """Base class: A = f(Z); E = dA * f'(Z).

    Subclass it, set ``name`` and ``symbol``, and write ``f`` and ``df`` to make a custom
    activation; pass an instance wherever a name is accepted.
    """

    name: ClassVar[str] = "activation"
    symbol: ClassVar[str] = "f"  # how the trace writes it: A = f(Z)
    description: ClassVar[str] = ""
    init: ClassVar[str] = "glorot"  # initialisation that keeps its signal variance

    def f(self, Z: Array) -> Array:
        """A = f(Z)."""
        raise NotImplementedError

    def df(self, Z: Array, A: Array) -> Array:
        """f'(Z), elementwise; A = f(Z) is passed in because it is often cheaper."""
        raise NotImplementedError

    def backward(self, dA: Array, Z: Array, A: Array) -> Array:
        """E = dA * f'(Z)."""
        return dA * self.df(Z, A)

    # The training step writes into buffers it allocated once (see Dense). These two default
    # to the rules above; the common activations override them to skip the temporaries.

    def f_into(self, Z: Array, out: Array) -> Array:
        """A = f(Z), written into ``out`` (same shape as Z)."""
        out[...] = self.f(Z)
        return out

    def backward_into(self, dA: Array, Z: Array, A: Array, out: Array) -> Array:
        """E = dA * f'(Z), written into ``out`` (which may be dA itself)."""
        out[...] = self.backward(dA, Z, A)
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(vars(self).items()))))


class Identity(Activation):
    """A = Z; f'(Z) = 1."""

    name = "identity"
    symbol = "I"
    description = "identity: A = Z"

    def f(self, Z: Array) -> Array:
        return Z.copy()

    def df(self, Z: Array, A: Array) -> Array:
        return np.ones_like(Z)

    def backward(self, dA: Array, Z: Array, A: Array) -> Array:
        return dA

    def f_into(self, Z: Array, out: Array) -> Array:
        np.copyto(out, Z)
        return out

    def backward_into(self, dA: Array, Z: Array, A: Array, out: Array) -> Array:
        if out is not dA:
            np.copyto(out, dA)
        return out


class ReLU(Activation):
    """A = max(Z, 0); f'(Z) = 1 where Z > 0, else 0."""

    name = "relu"
    symbol = "R"
    description = "rectified linear unit: A = max(Z, 0)"
    init = "he"

    def f(self, Z: Array) -> Array:
        return np.maximum(Z, 0)

    def df(self, Z: Array, A: Array) -> Array:
        return (Z > 0).astype(Z.dtype)

    def backward(self, dA: Array, Z: Array, A: Array) -> Array:
        return np.where(Z > 0, dA, 0).astype(dA.dtype, copy=False)

    def f_into(self, Z: Array, out: Array) -> Array:
        # a 0-d zero of Z's dtype: NumPy then skips converting a Python 0 on every call
        return np.maximum(Z, _zero(Z.dtype), out=out)

    def backward_into(self, dA: Array, Z: Array, A: Array, out: Array) -> Array:
        return np.multiply(dA, Z > 0, out=out)


class LeakyReLU(Activation):
    """A = Z where Z > 0, else negative_slope * Z; f'(Z) = 1 or negative_slope."""

    name = "leaky_relu"
    symbol = "LR"
    description = "leaky ReLU: A = max(Z, s·Z)"
    init = "he"

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = negative_slope

    def f(self, Z: Array) -> Array:
        return np.where(Z > 0, Z, self.negative_slope * Z)

    def df(self, Z: Array, A: Array) -> Array:
        return np.where(Z > 0, 1.0, self.negative_slope).astype(Z.dtype)


class ELU(Activation):
    """A = Z where Z > 0, else alpha * (exp(Z) - 1); f'(Z) = 1 or A + alpha."""

    name = "elu"
    symbol = "ELU"
    description = "exponential linear unit: A = Z or α(exp(Z) − 1)"
    init = "he"

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def f(self, Z: Array) -> Array:
        # expm1 only of the non-positive part, so that large Z never overflows
        return np.where(Z > 0, Z, self.alpha * np.expm1(np.minimum(Z, 0)))

    def df(self, Z: Array, A: Array) -> Array:
        return np.where(Z > 0, 1.0, A + self.alpha).astype(Z.dtype)


class Sigmoid(Activation):
    """A = 1 / (1 + exp(-Z)); f'(Z) = A * (1 - A)."""

    name = "sigmoid"
    symbol = "σ"
    description = "logistic sigmoid: A = 1 / (1 + exp(−Z))"

    def f(self, Z: Array) -> Array:
        # exp of -|Z| only: never overflows, for either sign of Z
        e = np.exp(-np.abs(Z))
        return np.where(Z >= 0, 1 / (1 + e), e / (1 + e)).astype(Z.dtype, copy=False)

    def df(self, Z: Array, A: Array) -> Array:
        return A * (1 - A)


class Exp(Activation):
    """A = exp(Z); f'(Z) = exp(Z) = A. The log link of Poisson regression: A > 0 always."""

    name = "exp"
    symbol = "exp"
    description = "exponential: A = exp(Z)"

    def f(self, Z: Array) -> Array:
        return np.exp(Z)

    def df(self, Z: Array, A: Array) -> Array:
        return A


class Tanh(Activation):
    """A = tanh(Z); f'(Z) = 1 - A**2."""

    name = "tanh"
    symbol = "tanh"
    description = "hyperbolic tangent: A = tanh(Z)"

    def f(self, Z: Array) -> Array:
        return np.tanh(Z)

    def df(self, Z: Array, A: Array) -> Array:
        return 1 - A * A

    def f_into(self, Z: Array, out: Array) -> Array:
        return np.tanh(Z, out=out)


class Softplus(Activation):
    """A = log(1 + exp(Z)); f'(Z) = sigmoid(Z)."""

    name = "softplus"
    symbol = "SP"
    description = "softplus: A = log(1 + exp(Z))"

    def f(self, Z: Array) -> Array:
        # log(1 + exp(Z)) = max(Z, 0) + log1p(exp(-|Z|)), which never overflows
        return np.maximum(Z, 0) + np.log1p(np.exp(-np.abs(Z)))

    def df(self, Z: Array, A: Array) -> Array:
        return Sigmoid().f(Z)


_GELU_C = math.sqrt(2 / math.pi)


class GELU(Activation):
    """A = Z/2 * (1 + tanh(c (Z + 0.044715 Z**3))), c = sqrt(2/π); the tanh form of GELU.

    This is PyTorch's ``gelu(approximate="tanh")`` and ONNX's ``Gelu(approximate="tanh")``.
    """

    name = "gelu"
    symbol = "GELU"
    description = "Gaussian error linear unit (tanh form)"
    init = "he"

    def f(self, Z: Array) -> Array:
        return 0.5 * Z * (1 + np.tanh(_GELU_C * (Z + 0.044715 * Z**3)))

    def df(self, Z: Array, A: Array) -> Array:
        t = np.tanh(_GELU_C * (Z + 0.044715 * Z**3))
        return 0.5 * (1 + t) + 0.5 * Z * (1 - t * t) * _GELU_C * (1 + 3 * 0.044715 * Z * Z)


class Softmax(Activation):
    """A = exp(Z) / sum of exp(Z) over each row; E = A * (dA - sum(dA * A) per row).

    Softmax mixes a row's entries, so its derivative is a Jacobian, not an elementwise
    f'(Z): ``backward`` applies it directly. After cross-entropy the output error is
    fused in ``losses.py`` and this Jacobian is never formed.
    """

    name = "softmax"
    symbol = "S"
    description = "softmax: A = exp(Z) / Σ exp(Z) per row"

    def f(self, Z: Array) -> Array:
        # subtracting the row maximum changes nothing mathematically and prevents overflow
        e = np.exp(Z - Z.max(axis=1, keepdims=True))
        e /= e.sum(axis=1, keepdims=True)
        return e

    def f_into(self, Z: Array, out: Array) -> Array:
        # the same three steps as f, in the buffer
        np.subtract(Z, np.maximum.reduce(Z, axis=1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= np.add.reduce(out, axis=1, keepdims=True)
        return out

    def df(self, Z: Array, A: Array) -> Array:
        """The diagonal of the Jacobian, A * (1 - A); ``backward`` uses the whole Jacobian."""
        return A * (1 - A)

    def backward(self, dA: Array, Z: Array, A: Array) -> Array:
        return A * (dA - (dA * A).sum(axis=1, keepdims=True))


_ZEROS = {np.dtype(t): np.zeros((), dtype=t) for t in (np.float32, np.float64)}


def _zero(dtype: np.dtype[Any]) -> Array:
    """A 0-d zero of ``dtype``."""
    zero = _ZEROS.get(dtype)
    return zero if zero is not None else np.zeros((), dtype=dtype)


ACTIVATIONS: dict[str, type[Activation]] = {
    cls.name: cls
    for cls in (Identity, ReLU, LeakyReLU, ELU, Sigmoid, Tanh, Softplus, GELU, Softmax, Exp)
}
ALIASES = {"linear": "identity", "logistic": "sigmoid", "none": "identity"}


def get_activation(spec: str | Activation) -> Activation:
    """Return the activation named ``spec`` (or ``spec`` itself when it is an Activation)."""
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, str):
        key = ALIASES.get(spec.lower(), spec.lower())
        if key in ACTIVATIONS:
            return ACTIVATIONS[key]()
    names = ", ".join(sorted(ACTIVATIONS))
    raise ValueError(
        f"unknown activation {spec!r}: use one of {names}, or an instance of "
        "glassnet.activations.Activation"
    )
