"""Activation functions: f(Z) beside f'(Z), one small class each, and a registry by name.

Every activation computes ``A = f(Z)`` and the layer error ``E = dA * f'(Z)``. Each rule is
written once per form the engine needs:

- ``f(Z, out=None)`` and ``df(Z, A, out=None)``: the NumPy form on whole arrays (the
  reference, and the path of small networks); with ``out`` they write into that buffer
  instead of allocating. ``df`` takes ``Z`` and, where it is cheaper, ``A = f(Z)`` too.
  ``backward`` (E = dA * f'(Z)) is derived from ``df`` in the base class; only softmax,
  whose derivative is a Jacobian, writes its own.
- ``scalar_f(z, p)`` and ``scalar_df(z, a, p)``: the same rule for one number, from which
  :mod:`glassnet.kernels` compiles the fused per-layer loops of big networks (numba). ``p``
  is the activation's parameter (``param``: a slope, an alpha; 0 where there is none). A
  class without them (softmax, a custom activation) always takes the NumPy form.
"""

from __future__ import annotations

import functools
import math
from typing import Any, ClassVar

import numpy as np

from glassnet._typing import Array


class Activation:
    """Base class: A = f(Z); E = dA * f'(Z).

    Subclass it, set ``name`` and ``symbol``, and write ``f(Z)`` and ``df(Z, A)`` to make a
    custom activation (an ``out=None`` keyword is optional: the engine passes a buffer only
    to methods that take one); pass an instance wherever a name is accepted.
    """

    name: ClassVar[str] = "activation"
    symbol: ClassVar[str] = "f"  # how the trace writes it: A = f(Z)
    description: ClassVar[str] = ""
    init: ClassVar[str] = "glorot"  # initialisation that keeps its signal variance
    # the scalar rules of the compiled kernels (see the module docstring), None: NumPy only
    scalar_f: ClassVar[Any] = None
    scalar_df: ClassVar[Any] = None

    @property
    def param(self) -> float:
        """The number the scalar rules receive as ``p`` (0 where the rule has none)."""
        return 0.0

    def f(self, Z: Array, out: Array | None = None) -> Array:
        """A = f(Z)."""
        raise NotImplementedError

    def df(self, Z: Array, A: Array, out: Array | None = None) -> Array:
        """f'(Z), elementwise; A = f(Z) is passed in because it is often cheaper."""
        raise NotImplementedError

    def backward(self, dA: Array, Z: Array, A: Array, out: Array | None = None) -> Array:
        """E = dA * f'(Z) (into ``out`` when given; ``out`` may be dA itself)."""
        if out is None or out is dA or not _takes_out(self):
            return np.multiply(dA, self.df(Z, A), out=out)
        self.df(Z, A, out=out)  # f'(Z) into the buffer, then times dA: no temporary
        out *= dA
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(vars(self).items()))))


def _takes_out(act: Activation) -> bool:
    """Whether ``act.f`` and ``act.df`` accept ``out`` (a custom subclass may not)."""
    cls = type(act)
    known = _TAKES_OUT.get(cls)
    if known is None:
        import inspect

        known = all("out" in inspect.signature(m).parameters for m in (act.f, act.df))
        _TAKES_OUT[cls] = known
    return known


_TAKES_OUT: dict[type[Activation], bool] = {}


def apply(act: Activation, Z: Array, out: Array) -> Array:
    """A = f(Z) into ``out`` (what the training step calls), for any activation."""
    if _takes_out(act):
        return act.f(Z, out=out)
    out[...] = act.f(Z)
    return out


class Identity(Activation):
    """A = Z; f'(Z) = 1."""

    name = "identity"
    symbol = "I"
    description = "identity: A = Z"

    def f(self, Z: Array, out: Array | None = None) -> Array:
        if out is None:
            return Z.copy()
        np.copyto(out, Z)
        return out

    def df(self, Z: Array, A: Array, out: Array | None = None) -> Array:
        if out is None:
            return np.ones_like(Z)
        out.fill(1)
        return out

    @staticmethod
    def scalar_f(z: float, p: float) -> float:
        return z

    @staticmethod
    def scalar_df(z: float, a: float, p: float) -> float:
        return 1.0


# Below this many elements ReLU's f'(Z) is sign(A), already of Z's dtype, rather than Z > 0
# cast from bool into the buffer; above it the comparison's SIMD loop wins (measured on an
# Intel Xeon, float32: 6 elements 0.85 → 0.45 µs, 512: 0.69 → 0.46, 1536: 0.85 ≈ 0.84)
SIGN_BELOW = 1024


class ReLU(Activation):
    """A = max(Z, 0); f'(Z) = 1 where Z > 0, else 0."""

    name = "relu"
    symbol = "R"
    description = "rectified linear unit: A = max(Z, 0)"
    init = "he"

    def f(self, Z: Array, out: Array | None = None) -> Array:
        # a 0-d zero of Z's dtype: NumPy then skips converting a Python 0 on every call
        return np.maximum(Z, _zero(Z.dtype), out=out)

    def df(self, Z: Array, A: Array, out: Array | None = None) -> Array:
        if Z.size < SIGN_BELOW:  # sign(A): 1 where Z > 0, else 0, as A = max(Z, 0) ≥ 0
            return np.sign(A, out=out)
        if out is None:
            return (Z > 0).astype(Z.dtype)
        return np.greater(Z, _zero(Z.dtype), out=out)  # True/False written as 1.0/0.0

    @staticmethod
    def scalar_f(z: float, p: float) -> float:
        return z if z > 0 else 0.0

    @staticmethod
    def scalar_df(z: float, a: float, p: float) -> float:
        return 1.0 if z > 0 else 0.0


class LeakyReLU(Activation):
    """A = Z where Z > 0, else negative_slope * Z; f'(Z) = 1 or negative_slope."""

    name = "leaky_relu"
    symbol = "LR"
    description = "leaky ReLU: A = max(Z, s·Z)"
    init = "he"

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = negative_slope

    @property
    def param(self) -> float:
        return float(self.negative_slope)

    def f(self, Z: Array, out: Array | None = None) -> Array:
        return _put(np.where(Z > 0, Z, self.negative_slope * Z), Z.dtype, out)

    def df(self, Z: Array, A: Array, out: Array | None = None) -> Array:
        return _put(np.where(Z > 0, 1.0, self.negative_slope), Z.dtype, out)

    @staticmethod
    def scalar_f(z: float, p: float) -> float:
        return z if z > 0 else p * z

    @staticmethod
    def scalar_df(z: float, a: float, p: float) -> float:
        return 1.0 if z > 0 else p


class ELU(Activation):
    """A = Z where Z > 0, else alpha * (exp(Z) - 1); f'(Z) = 1 or A + alpha."""

    name = "elu"
    symbol = "ELU"
    description = "exponential linear unit: A = Z or α(exp(Z) − 1)"
    init = "he"

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    @property
    def param(self) -> float:
        return float(self.alpha)

    def f(self, Z: Array, out: Array | None = None) -> Array:
        # expm1 only of the non-positive part, so that large Z never overflows
        return _put(np.where(Z > 0, Z, self.alpha * np.expm1(np.minimum(Z, 0))), Z.dtype, out)

    def df(self, Z: Array, A: Array, out: Array | None = None) -> Array:
        return _put(np.where(Z > 0, 1.0, A + self.alpha), Z.dtype, out)

    @staticmethod
    def scalar_f(z: float, p: float) -> float:
        return z if z > 0 else p * np.expm1(z)

    @staticmethod
    def scalar_df(z: float, a: float, p: float) -> float:
        return 1.0 if z > 0 else a + p


class Sigmoid(Activation):
    """A = 1 / (1 + exp(-Z)); f'(Z) = A * (1 - A)."""

    name = "sigmoid"
    symbol = "σ"
    description = "logistic sigmoid: A = 1 / (1 + exp(−Z))"

    def f(self, Z: Array, out: Array | None = None) -> Array:
        # exp of -|Z| only: never overflows, for either sign of Z
        e = np.exp(-np.abs(Z))
        return _put(np.where(Z >= 0, 1 / (1 + e), e / (1 + e)), Z.dtype, out)

    def df(self, Z: Array, A: Array, out: Array | None = None) -> Array:
        D = np.subtract(1, A, out=out)
        D *= A
        return D

    @staticmethod
    def scalar_f(z: float, p: float) -> float:
        e = np.exp(-abs(z))
        return 1 / (1 + e) if z >= 0 else e / (1 + e)

    @staticmethod
    def scalar_df(z: float, a: float, p: float) -> float:
        return a * (1 - a)


class Exp(Activation):
    """A = exp(Z); f'(Z) = exp(Z) = A. The log link of Poisson regression: A > 0 always."""

    name = "exp"
    symbol = "exp"
    description = "exponential: A = exp(Z)"

    def f(self, Z: Array, out: Array | None = None) -> Array:
        return np.exp(Z, out=out)

    def df(self, Z: Array, A: Array, out: Array | None = None) -> Array:
        return _put(A, A.dtype, out) if out is not None else A.copy()

    @staticmethod
    def scalar_f(z: float, p: float) -> float:
        return np.exp(z)

    @staticmethod
    def scalar_df(z: float, a: float, p: float) -> float:
        return a


class Tanh(Activation):
    """A = tanh(Z); f'(Z) = 1 - A**2."""

    name = "tanh"
    symbol = "tanh"
    description = "hyperbolic tangent: A = tanh(Z)"

    def f(self, Z: Array, out: Array | None = None) -> Array:
        return np.tanh(Z, out=out)

    def df(self, Z: Array, A: Array, out: Array | None = None) -> Array:
        D = np.multiply(A, A, out=out)
        return np.subtract(1, D, out=D)

    @staticmethod
    def scalar_f(z: float, p: float) -> float:
        return np.tanh(z)

    @staticmethod
    def scalar_df(z: float, a: float, p: float) -> float:
        return 1 - a * a


class Softplus(Activation):
    """A = log(1 + exp(Z)); f'(Z) = sigmoid(Z)."""

    name = "softplus"
    symbol = "SP"
    description = "softplus: A = log(1 + exp(Z))"

    def f(self, Z: Array, out: Array | None = None) -> Array:
        # log(1 + exp(Z)) = max(Z, 0) + log1p(exp(-|Z|)), which never overflows
        return _put(np.maximum(Z, 0) + np.log1p(np.exp(-np.abs(Z))), Z.dtype, out)

    def df(self, Z: Array, A: Array, out: Array | None = None) -> Array:
        return Sigmoid().f(Z, out=out)

    @staticmethod
    def scalar_f(z: float, p: float) -> float:
        return max(z, 0.0) + np.log1p(np.exp(-abs(z)))

    @staticmethod
    def scalar_df(z: float, a: float, p: float) -> float:
        e = np.exp(-abs(z))  # sigmoid(z), as Sigmoid.scalar_f
        return 1 / (1 + e) if z >= 0 else e / (1 + e)


_GELU_C = math.sqrt(2 / math.pi)


class GELU(Activation):
    """A = Z/2 * (1 + tanh(c (Z + 0.044715 Z**3))), c = sqrt(2/π); the tanh form of GELU.

    This is PyTorch's ``gelu(approximate="tanh")`` and ONNX's ``Gelu(approximate="tanh")``.
    """

    name = "gelu"
    symbol = "GELU"
    description = "Gaussian error linear unit (tanh form)"
    init = "he"

    def f(self, Z: Array, out: Array | None = None) -> Array:
        return _put(0.5 * Z * (1 + np.tanh(_GELU_C * (Z + 0.044715 * Z**3))), Z.dtype, out)

    def df(self, Z: Array, A: Array, out: Array | None = None) -> Array:
        t = np.tanh(_GELU_C * (Z + 0.044715 * Z**3))
        D = 0.5 * (1 + t) + 0.5 * Z * (1 - t * t) * _GELU_C * (1 + 3 * 0.044715 * Z * Z)
        return _put(D, Z.dtype, out)

    @staticmethod
    def scalar_f(z: float, p: float) -> float:
        return 0.5 * z * (1 + np.tanh(0.7978845608028654 * (z + 0.044715 * z**3)))

    @staticmethod
    def scalar_df(z: float, a: float, p: float) -> float:
        c = 0.7978845608028654  # sqrt(2 / π), as _GELU_C
        t = np.tanh(c * (z + 0.044715 * z**3))
        return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * c * (1 + 3 * 0.044715 * z * z)


class Softmax(Activation):
    """A = exp(Z) / sum of exp(Z) over each row; E = A * (dA - sum(dA * A) per row).

    Softmax mixes a row's entries, so its derivative is a Jacobian, not an elementwise
    f'(Z): ``backward`` applies it directly. After cross-entropy the output error is
    fused in ``losses.py`` and this Jacobian is never formed.
    """

    name = "softmax"
    symbol = "S"
    description = "softmax: A = exp(Z) / Σ exp(Z) per row"

    def f(self, Z: Array, out: Array | None = None) -> Array:
        # subtracting the row maximum changes nothing mathematically and prevents overflow
        if Z.shape[1] <= NARROW:  # rows become columns: each step is whole-row arithmetic
            T = Z.T.copy()
            np.subtract(T, np.maximum.reduce(T, axis=0), out=T)
            np.exp(T, out=T)
            np.divide(T, np.add.reduce(T, axis=0), out=T)
            if out is None:
                return T.T.copy()
            out[...] = T.T
            return out
        e = np.subtract(Z, row_max(Z), out=out)
        np.exp(e, out=e)
        e /= row_sum(e)
        return e

    def df(self, Z: Array, A: Array, out: Array | None = None) -> Array:
        """The diagonal of the Jacobian, A * (1 - A); ``backward`` uses the whole Jacobian."""
        D = np.subtract(1, A, out=out)
        D *= A
        return D

    def backward(self, dA: Array, Z: Array, A: Array, out: Array | None = None) -> Array:
        E = A * (dA - (dA * A).sum(axis=1, keepdims=True))
        return E if out is None else _put(E, E.dtype, out)


# NumPy reduces along a short last axis slowly, one small inner loop per row: for the
# (200, 10) output of the scikit-learn drop-in, the row maxima took 9.7 µs against 4.1 µs
# through a transposed copy (reduced along its first axis, whole rows at a time). From ~100
# columns the plain reduction is as fast or faster. Softmax works on the transposed copy
# throughout (Intel Xeon, float32: (32, 10) 4.13 against 4.30 µs, (200, 10) 6.99 against
# 7.67, (1000, 10) 19.4 against 23.3, as rows with the row sums a product with ones), and
# no sum is a BLAS product: some OpenBLAS kernels raise the CPU's "invalid" flag on small
# float32 products of finite numbers, so NumPy warns "invalid value encountered in dot"
# (CI's CPU did, on a (2, 5) softmax that this Xeon's kernels sum quietly).
NARROW = 32


def row_max(M: Array) -> Array:
    """max_j M_ij per row, as an (n, 1) column."""
    if M.shape[1] <= NARROW:
        return np.maximum.reduce(M.T.copy(), axis=0)[:, None]
    return np.maximum.reduce(M, axis=1, keepdims=True)


def row_sum(M: Array) -> Array:
    """Σ_j M_ij per row, as an (n, 1) column."""
    if M.shape[1] <= NARROW:
        return np.add.reduce(M.T.copy(), axis=0)[:, None]
    return np.add.reduce(M, axis=1, keepdims=True)


@functools.lru_cache(maxsize=32)
def ones(n: int, dtype: np.dtype[Any]) -> Array:
    """A read-only vector of n ones, kept: sums over rows or columns are products with it
    (dB = 1ᵀ·E), and allocating it took ~1 µs of a 1-2 µs product."""
    v = np.ones(n, dtype)
    v.flags.writeable = False
    return v


def _put(M: Array, dtype: np.dtype[Any], out: Array | None) -> Array:
    """M in ``dtype``, written into ``out`` when one is given."""
    if out is None:
        return M.astype(dtype, copy=False)
    np.copyto(out, M, casting="same_kind")
    return out


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
