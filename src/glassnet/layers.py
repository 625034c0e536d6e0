"""Dense layer: Z = X @ W + B, A = f(Z); backward gives E, dW, dB and dX."""

from __future__ import annotations

import numpy as np

from glassnet._typing import Array
from glassnet.activations import Activation


class Dense:
    """Fully connected layer: Z = X @ W + B, A = f(Z).

    Shapes: X (n, i), W (i, o), B (1, o) -> Z, A (n, o).

    ``W``, ``B``, ``dW`` and ``dB`` are views into the network's flat parameter and gradient
    vectors. After ``forward`` the layer keeps ``X``, ``Z`` and ``A``; after ``backward`` it
    keeps ``E``, so that a trace can show every matrix. ``dropout`` is the rate of inverted
    dropout applied to A while training: kept units are scaled by 1 / (1 − dropout), so
    nothing changes at prediction time.
    """

    def __init__(
        self,
        index: int,
        W: Array,
        B: Array,
        dW: Array,
        dB: Array,
        activation: Activation,
        dropout: float = 0.0,
    ) -> None:
        self.index = index  # 1-based, as people count layers
        self.W, self.B, self.dW, self.dB = W, B, dW, dB
        self.activation = activation
        self.dropout = dropout
        self.mask: Array | None = None
        self.X = self.Z = self.A = self.E = np.empty((0, 0), dtype=W.dtype)

    @property
    def name(self) -> str:
        return f"layer{self.index}"

    @property
    def fan_in(self) -> int:
        return int(self.W.shape[0])

    @property
    def fan_out(self) -> int:
        return int(self.W.shape[1])

    def forward(self, X: Array, rng: np.random.Generator | None = None) -> Array:
        """Z = X @ W + B; A = f(Z), with dropout on A when an ``rng`` is given (training).

        Shapes: X (n, i) -> A (n, o).
        """
        self.X = X
        self.Z = X @ self.W
        self.Z += self.B  # B is a row, so it broadcasts over the batch
        self.A = self.activation.f(self.Z)
        self.mask = None
        if rng is not None and self.dropout > 0:
            keep = 1.0 - self.dropout
            self.mask = (rng.random(self.A.shape) < keep).astype(self.A.dtype) / keep
            return self.A * self.mask
        return self.A

    def backward(self, dA: Array, need_dX: bool = True) -> Array | None:
        """E = dA * f'(Z); then ``gradient(E)``.

        Shapes: dA (n, o) -> dX (n, i), or None when ``need_dX`` is false.
        """
        if self.mask is not None:
            dA = dA * self.mask  # the dropped units passed nothing forward, so get nothing back
        return self.gradient(self.activation.backward(dA, self.Z, self.A), need_dX)

    def gradient(self, E: Array, need_dX: bool = True) -> Array | None:
        """dW = X.T @ E; dB = sum of E over rows; dX = E @ W.T.

        Shapes: E (n, o) -> dW (i, o), dB (1, o), dX (n, i). The first layer skips dX.
        """
        self.E = E
        np.dot(self.X.T, E, out=self.dW)
        np.sum(E, axis=0, keepdims=True, out=self.dB)
        return E @ self.W.T if need_dX else None

    def __repr__(self) -> str:
        drop = f", dropout={self.dropout}" if self.dropout else ""
        return f"Dense({self.fan_in} -> {self.fan_out}, {self.activation.name}{drop})"
