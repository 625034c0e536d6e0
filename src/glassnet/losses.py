"""Costs beside their gradients, and the fused output errors that are exact.

Each loss computes the *summed* per-sample cost and the output error ``EL = dC/dZL``;
the caller passes ``scale``: ``1/n`` for ``reduction="mean"``, ``1`` for ``"sum"``, or a
column of per-sample weights ``w_i / Σ w`` for a weighted mean. That way the mean's ``1/n``
lives here, and ``dW = A.T @ E`` stays exactly as in the tutorial.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from glassnet._typing import Array
from glassnet.activations import Activation, Exp, Sigmoid, Softmax

# Probabilities are clipped this far from 0 and 1 where a log of them is taken directly.
EPS = 1e-12


def _logsumexp(Z: Array) -> Array:
    """log Σ_j exp(Z_ij) per row, computed without overflow."""
    m = np.maximum.reduce(Z, axis=1, keepdims=True)
    return m + np.log(np.add.reduce(np.exp(Z - m), axis=1, keepdims=True))


class Loss:
    """Base class: C = Σ_i scale_i · c(O_i, Y_i); E = dC/dZ."""

    name: ClassVar[str] = "loss"
    default_output: ClassVar[str] = "identity"
    equation: ClassVar[str] = ""
    classification: ClassVar[bool] = False

    def cost(self, Z: Array, O: Array, Y: Array, f: Activation, scale: float | Array) -> float:
        """C = Σ_i scale_i · c(O_i, Y_i)."""
        raise NotImplementedError

    def dO(self, O: Array, Y: Array, scale: float | Array) -> Array:
        """C'(O) = dC/dO."""
        raise NotImplementedError

    def error(self, Z: Array, O: Array, Y: Array, f: Activation, scale: float | Array) -> Array:
        """EL = C'(O) * f'(ZL): the output layer error."""
        return f.backward(self.dO(O, Y, scale), Z, O)

    def error_into(
        self, Z: Array, O: Array, Y: Array, f: Activation, scale: float | Array, out: Array
    ) -> Array:
        """EL, written into ``out`` (the training step's buffer); same rule as ``error``."""
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
        return f.backward_into(out, Z, O, out=out)


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
    classification = True

    def cost(self, Z: Array, O: Array, Y: Array, f: Activation, scale: float | Array) -> float:
        if isinstance(f, Softmax):
            log_O = Z - _logsumexp(Z)
        else:
            log_O = np.log(np.clip(O, EPS, None))
        if isinstance(scale, float):  # one scale for every row: Σ_ik Y_ik log O_ik is Y · log O
            return -scale * float(np.vdot(Y, log_O))
        return float(-np.sum(scale * (Y * log_O).sum(axis=1, keepdims=True)))

    def dO(self, O: Array, Y: Array, scale: float | Array) -> Array:
        return -scale * Y / np.clip(O, EPS, None)

    def error(self, Z: Array, O: Array, Y: Array, f: Activation, scale: float | Array) -> Array:
        if isinstance(f, Softmax):
            return scale * (O - Y)
        return super().error(Z, O, Y, f, scale)

    def error_into(
        self, Z: Array, O: Array, Y: Array, f: Activation, scale: float | Array, out: Array
    ) -> Array:
        if isinstance(f, Softmax):
            return _fused(O, Y, scale, out)
        return super().error_into(Z, O, Y, f, scale, out)


class BinaryCrossEntropy(Loss):
    """C = −Σ_i scale_i · Σ_k [Y log O + (1 − Y) log(1 − O)], for sigmoid outputs.

    Sigmoid followed by binary cross-entropy has ``dC/dZ = scale · (O − Y)``: the sigmoid's
    ``f'(Z) = O(1 − O)`` cancels the denominators of ``C'(O) = (O − Y) / (O(1 − O))``. The
    cost is taken from Z as ``softplus(Z) − Y·Z``, which is exact and never takes log(0).
    """

    name = "binary_cross_entropy"
    default_output = "sigmoid"
    equation = "C = −Σ [Y · log O + (1 − Y) · log(1 − O)]"
    classification = True

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

    def error(self, Z: Array, O: Array, Y: Array, f: Activation, scale: float | Array) -> Array:
        if isinstance(f, Sigmoid):
            return scale * (O - Y)
        return super().error(Z, O, Y, f, scale)

    def error_into(
        self, Z: Array, O: Array, Y: Array, f: Activation, scale: float | Array, out: Array
    ) -> Array:
        if isinstance(f, Sigmoid):
            return _fused(O, Y, scale, out)
        return super().error_into(Z, O, Y, f, scale, out)


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

    def cost(self, Z: Array, O: Array, Y: Array, f: Activation, scale: float | Array) -> float:
        log_O = Z if isinstance(f, Exp) else np.log(np.clip(O, EPS, None))
        Y_log_Y = np.where(Y > 0, Y * np.log(np.where(Y > 0, Y, 1)), 0)  # 0 · log 0 = 0
        per_entry = Y_log_Y - Y * log_O - Y + O
        return float(np.sum(scale * per_entry.sum(axis=1, keepdims=True)))

    def dO(self, O: Array, Y: Array, scale: float | Array) -> Array:
        return scale * (1 - Y / np.clip(O, EPS, None))

    def error(self, Z: Array, O: Array, Y: Array, f: Activation, scale: float | Array) -> Array:
        if isinstance(f, Exp):
            return scale * (O - Y)
        return super().error(Z, O, Y, f, scale)


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
