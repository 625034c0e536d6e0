"""Costs beside their gradients, and the fused output errors that are exact.

Each loss computes the *summed* per-sample cost and the output error ``EL = dC/dZL``;
the caller passes ``scale``: ``1/n`` for ``reduction="mean"``, ``1`` for ``"sum"``, or a
column of per-sample weights ``w_i / Σ w`` for a weighted mean. That way the mean's ``1/n``
lives here, and ``dW = A.T @ E`` stays exactly as in the tutorial.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from glassnet._typing import Array
from glassnet.activations import Activation, Exp, Sigmoid, Softmax, row_max, row_sum

# Probabilities are clipped this far from 0 and 1 where a log of them is taken directly.
EPS = 1e-12


def _logsumexp(Z: Array) -> Array:
    """log Σ_j exp(Z_ij) per row, computed without overflow."""
    m = row_max(Z)
    return m + np.log(row_sum(np.exp(Z - m)))


class Loss:
    """Base class: C = Σ_i scale_i · c(O_i, Y_i); E = dC/dZ.

    A loss knows everything about itself, so that no other module branches on its name:
    its cost and C'(O) (``cost``, ``dO``), the output error and whether it fuses with an
    output activation (``error``, ``fused_output``), the equations the trace prints
    (``equation``, ``c_prime``), how targets are checked and encoded (``targets``), what a
    prediction is (``predict``, ``probabilities``) and what example targets look like
    (``example_targets``). Subclass it to add a loss; pass an instance wherever a name is
    accepted.
    """

    name: ClassVar[str] = "loss"
    default_output: ClassVar[str] = "identity"
    equation: ClassVar[str] = ""  # the cost, summed over the batch: "C = Σ ½‖O − Y‖²"
    c_prime: ClassVar[str] = "C'(O)"  # dC/dO summed over the batch, as the trace writes it
    # the output activation with which E = dC/dZ collapses to scale · (O − Y), if any
    fused_output: ClassVar[str | None] = None
    classification: ClassVar[bool] = False

    def is_fused(self, f: Activation) -> bool:
        """True when the output error with activation f is the fused EL = scale · (O − Y)."""
        return self.fused_output is not None and f.name == self.fused_output

    def targets(self, T: Array, o: int, dtype: np.dtype[Any], name: str = "Y") -> Array:
        """Y as (n, o) targets of ``dtype`` from the checked numeric array T (1-D or 2-D).

        The base rule: a 1-D T is one column. The caller checks the number of columns;
        subclasses encode labels (cross_entropy) or check the range (binary_cross_entropy).
        """
        return np.ascontiguousarray(T.reshape(-1, 1) if T.ndim == 1 else T, dtype=dtype)

    def predict(self, O: Array) -> Array:
        """What the network predicts from O: O itself for a regression loss."""
        return O

    def probabilities(self, O: Array) -> Array:
        """Class probabilities (n, k) from O, for a classification loss: O itself."""
        return O

    def n_classes(self, o: int) -> int:
        """How many classes (probability columns) an o-unit output layer gives: o."""
        return o

    def example_targets(self, rng: np.random.Generator, n: int, o: int) -> Array:
        """n random target rows for an o-unit output, as the loss expects them (demos,
        gradient checks)."""
        return rng.standard_normal((n, o))

    def cost(self, Z: Array, O: Array, Y: Array, f: Activation, scale: float | Array) -> float:
        """C = Σ_i scale_i · c(O_i, Y_i)."""
        raise NotImplementedError

    def dO(self, O: Array, Y: Array, scale: float | Array) -> Array:
        """C'(O) = dC/dO."""
        raise NotImplementedError

    def error(self, Z: Array, O: Array, Y: Array, f: Activation, scale: float | Array) -> Array:
        """EL = C'(O) * f'(ZL): the output layer error; fused EL = scale · (O − Y) where
        ``is_fused(f)`` (the subclass's docstring says why that is exact)."""
        if self.is_fused(f):
            return scale * (O - Y)
        return f.backward(self.dO(O, Y, scale), Z, O)

    def error_into(
        self, Z: Array, O: Array, Y: Array, f: Activation, scale: float | Array, out: Array
    ) -> Array:
        """EL, written into ``out`` (the training step's buffer); same rule as ``error``."""
        if self.is_fused(f):
            return _fused(O, Y, scale, out)
        out[...] = self.error(Z, O, Y, f, scale)
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MSE(Loss):
    """C = Σ_i scale_i · ½‖O_i − Y_i‖²; C'(O) = scale · (O − Y).

    With ``reduction="sum"`` this is the seed's ``C = ½ Σ (ŷ − y)²``, whose output error is
    ``Eo = (ŷ − y) * R'(Zo)`` exactly as printed there.
    """

    name = "mse"
    default_output = "identity"
    equation = "C = Σ ½‖O − Y‖²"
    c_prime = "O − Y"

    def cost(self, Z: Array, O: Array, Y: Array, f: Activation, scale: float | Array) -> float:
        D = O - Y
        if isinstance(scale, float):  # one scale for every row: Σ_i ‖D_i‖² is D · D
            return scale * 0.5 * float(np.vdot(D, D))
        return float(np.sum(scale * 0.5 * (D * D).sum(axis=1, keepdims=True)))

    def dO(self, O: Array, Y: Array, scale: float | Array) -> Array:
        return scale * (O - Y)

    def error_into(
        self, Z: Array, O: Array, Y: Array, f: Activation, scale: float | Array, out: Array
    ) -> Array:
        np.subtract(O, Y, out=out)
        out *= scale  # C'(O) = scale · (O − Y)
        return f.backward(out, Z, O, out=out)


class CrossEntropy(Loss):
    """C = −Σ_i scale_i · Σ_k Y_ik log O_ik, for softmax outputs and one-hot (or soft) Y.

    Softmax followed by cross-entropy has ``dC/dZ = scale · (O − Y)``: the softmax Jacobian
    ``diag(O) − O Oᵀ`` times ``−Y/O`` collapses because each row of Y sums to 1. So the fused
    error is exact, cheaper, and never divides by a probability. The cost itself is taken
    from Z with log-sum-exp, so a saturated softmax never gives log(0).
    """

    name = "cross_entropy"
    default_output = "softmax"
    equation = "C = −Σ Y · log O"
    c_prime = "−Y / O"
    fused_output = "softmax"
    classification = True

    def targets(self, T: Array, o: int, dtype: np.dtype[Any], name: str = "Y") -> Array:
        """Integer labels 0..o−1, shape (n,) or (n, 1), become one-hot rows; (n, o) one-hot
        or probability rows are kept."""
        if T.ndim == 1 or (T.shape[1] == 1 and o > 1):
            return _one_hot(T.reshape(-1), o, dtype, name)
        return super().targets(T, o, dtype, name)

    def predict(self, O: Array) -> Array:
        """The class of each row: argmax over O's columns."""
        return np.argmax(O, axis=1)

    def example_targets(self, rng: np.random.Generator, n: int, o: int) -> Array:
        """One-hot rows of random classes."""
        return np.eye(o)[rng.integers(0, o, n)]

    def cost(self, Z: Array, O: Array, Y: Array, f: Activation, scale: float | Array) -> float:
        if isinstance(f, Softmax):
            # log O = Z − logsumexp(Z). While no probability has underflowed (the usual
            # case) log(O) is the same to rounding and needs no row reductions: 29 µs
            # against 6 µs for the drop-in's (200, 10); a saturated softmax, where some O
            # is 0 or subnormal, takes the exact way.
            tiny = np.finfo(O.dtype).tiny
            log_O = np.log(O) if O.size == 0 or O.min() >= tiny else Z - _logsumexp(Z)
        else:
            log_O = np.log(np.clip(O, EPS, None))
        if isinstance(scale, float):  # one scale for every row: Σ_ik Y_ik log O_ik is Y · log O
            return -scale * float(np.vdot(Y, log_O))
        return float(-np.sum(scale * (Y * log_O).sum(axis=1, keepdims=True)))

    def dO(self, O: Array, Y: Array, scale: float | Array) -> Array:
        return -scale * Y / np.clip(O, EPS, None)


class BinaryCrossEntropy(Loss):
    """C = −Σ_i scale_i · Σ_k [Y log O + (1 − Y) log(1 − O)], for sigmoid outputs.

    Sigmoid followed by binary cross-entropy has ``dC/dZ = scale · (O − Y)``: the sigmoid's
    ``f'(Z) = O(1 − O)`` cancels the denominators of ``C'(O) = (O − Y) / (O(1 − O))``. The
    cost is taken from Z as ``softplus(Z) − Y·Z``, which is exact and never takes log(0).
    """

    name = "binary_cross_entropy"
    default_output = "sigmoid"
    equation = "C = −Σ [Y · log O + (1 − Y) · log(1 − O)]"
    c_prime = "(O − Y) / (O(1 − O))"
    fused_output = "sigmoid"
    classification = True

    def targets(self, T: Array, o: int, dtype: np.dtype[Any], name: str = "Y") -> Array:
        """Targets in [0, 1], one column per output unit."""
        if ((T < 0) | (T > 1)).any():
            raise ValueError(f"{name} must lie in [0, 1] for binary_cross_entropy")
        return super().targets(T, o, dtype, name)

    def predict(self, O: Array) -> Array:
        """0/1 per output unit: O ≥ 0.5."""
        return (O >= 0.5).astype(np.int64)

    def probabilities(self, O: Array) -> Array:
        """One sigmoid unit gives P(second class): the columns [1 − O, O]; more units are
        independent probabilities, kept as they are."""
        return np.hstack([1 - O, O]) if O.shape[1] == 1 else O

    def n_classes(self, o: int) -> int:
        """One sigmoid unit tells two classes apart; more units are o yes/no outputs."""
        return 2 if o == 1 else o

    def example_targets(self, rng: np.random.Generator, n: int, o: int) -> Array:
        """Random 0/1 targets."""
        return rng.integers(0, 2, (n, o)).astype(float)

    def cost(self, Z: Array, O: Array, Y: Array, f: Activation, scale: float | Array) -> float:
        if isinstance(f, Sigmoid):
            per_entry = np.maximum(Z, 0) - Y * Z + np.log1p(np.exp(-np.abs(Z)))
        else:
            Oc = np.clip(O, EPS, 1 - EPS)
            per_entry = -(Y * np.log(Oc) + (1 - Y) * np.log1p(-Oc))
        return float(np.sum(scale * per_entry.sum(axis=1, keepdims=True)))

    def dO(self, O: Array, Y: Array, scale: float | Array) -> Array:
        Oc = np.clip(O, EPS, 1 - EPS)
        return scale * (Oc - Y) / (Oc * (1 - Oc))


def _fused(O: Array, Y: Array, scale: float | Array, out: Array) -> Array:
    """EL = scale · (O − Y) into ``out``: the fused error of softmax + cross-entropy and of
    sigmoid + binary cross-entropy (see their docstrings for why it is exact)."""
    np.subtract(O, Y, out=out)
    out *= scale
    return out


class Huber(Loss):
    """C = Σ_i scale_i · Σ_k h(O_ik − Y_ik), h(r) = ½r² where |r| ≤ delta, else
    delta·(|r| − ½·delta); C'(O) = scale · clip(O − Y, −delta, delta).

    Quadratic near the target like mse, linear far from it, so an outlier pulls on the
    weights with a force of at most delta instead of its whole residual.
    """

    name = "huber"
    default_output = "identity"
    equation = "C = Σ h(O − Y), h(r) = ½r² if |r| ≤ δ else δ(|r| − ½δ)"
    c_prime = "clip(O − Y, −δ, δ)"

    def __init__(self, delta: float = 1.0) -> None:
        if not delta > 0:
            raise ValueError(f"the Huber loss needs delta > 0, got {delta}")
        self.delta = float(delta)

    def cost(self, Z: Array, O: Array, Y: Array, f: Activation, scale: float | Array) -> float:
        R = np.abs(O - Y)
        d = self.delta
        per_entry = np.where(R <= d, 0.5 * R * R, d * (R - 0.5 * d))
        return float(np.sum(scale * per_entry.sum(axis=1, keepdims=True)))

    def dO(self, O: Array, Y: Array, scale: float | Array) -> Array:
        return scale * np.clip(O - Y, -self.delta, self.delta)

    def __repr__(self) -> str:
        return f"Huber(delta={self.delta})"


class Poisson(Loss):
    """Half the Poisson deviance: C = Σ_i scale_i · Σ_k [Y log(Y/O) − Y + O], for O > 0;
    C'(O) = scale · (1 − Y/O).

    With the exp output (the log link, O = exp(Z)) the error fuses to ``dC/dZ = scale·(O − Y)``:
    f'(Z) = O cancels the 1/O. The cost is then taken from Z (log O = Z), never log(0).
    """

    name = "poisson"
    default_output = "exp"
    equation = "C = Σ [Y · log(Y / O) − Y + O]"
    c_prime = "1 − Y / O"
    fused_output = "exp"

    def targets(self, T: Array, o: int, dtype: np.dtype[Any], name: str = "Y") -> Array:
        """Non-negative targets (counts or rates)."""
        if (T < 0).any():
            raise ValueError(f"{name} must be non-negative for the poisson loss (counts or rates)")
        return super().targets(T, o, dtype, name)

    def example_targets(self, rng: np.random.Generator, n: int, o: int) -> Array:
        """Random counts."""
        return rng.poisson(2.0, (n, o)).astype(float)

    def cost(self, Z: Array, O: Array, Y: Array, f: Activation, scale: float | Array) -> float:
        log_O = Z if isinstance(f, Exp) else np.log(np.clip(O, EPS, None))
        Y_log_Y = np.where(Y > 0, Y * np.log(np.where(Y > 0, Y, 1)), 0)  # 0 · log 0 = 0
        per_entry = Y_log_Y - Y * log_O - Y + O
        return float(np.sum(scale * per_entry.sum(axis=1, keepdims=True)))

    def dO(self, O: Array, Y: Array, scale: float | Array) -> Array:
        return scale * (1 - Y / np.clip(O, EPS, None))


def _one_hot(labels: Array, o: int, dtype: np.dtype[Any], name: str) -> Array:
    """Integer class labels 0..o−1 as one-hot rows (n, o)."""
    if labels.dtype.kind == "f" and not np.all(labels == np.round(labels)):
        raise ValueError(
            f"{name} holds non-integer values, but cross_entropy takes integer class labels "
            f"0..{o - 1} or one-hot rows of {o} columns"
        )
    ints = labels.astype(np.int64)
    bad = (ints < 0) | (ints >= o)
    if bad.any():
        raise ValueError(
            f"{name} holds label {ints[bad][0]} at row {np.argmax(bad)}, outside 0..{o - 1}: "
            f"the output layer has {o} units, one per class"
        )
    T = np.zeros((labels.shape[0], o), dtype=dtype)
    T[np.arange(labels.shape[0]), ints] = 1
    return T


LOSSES: dict[str, type[Loss]] = {
    cls.name: cls for cls in (MSE, CrossEntropy, BinaryCrossEntropy, Huber, Poisson)
}
ALIASES = {
    "squared_error": "mse",
    "log_loss": "cross_entropy",
    "categorical_cross_entropy": "cross_entropy",
    "bce": "binary_cross_entropy",
}
REDUCTIONS = ("mean", "sum")


def get_loss(spec: str | Loss) -> Loss:
    """Return the loss named ``spec`` (or ``spec`` itself when it is a Loss)."""
    if isinstance(spec, Loss):
        return spec
    if isinstance(spec, str):
        key = ALIASES.get(spec.lower(), spec.lower())
        if key in LOSSES:
            return LOSSES[key]()
    raise ValueError(
        f"unknown loss {spec!r}: use one of {', '.join(LOSSES)}, or an instance of "
        "glassnet.losses.Loss"
    )
