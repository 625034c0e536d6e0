"""Dense layer: Z = X @ W + B, A = f(Z); backward gives E, dW, dB and dX."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from glassnet import kernels
from glassnet._typing import Array
from glassnet.activations import Activation, apply, ones


class Dense:
    """Fully connected layer: Z = X @ W + B, A = f(Z).

    Shapes: X (n, i), W (i, o), B (1, o) -> Z, A (n, o).

    ``W``, ``B``, ``dW`` and ``dB`` are views into the network's flat parameter and gradient
    vectors. After ``forward`` the layer keeps ``X``, ``Z`` and ``A``; after ``backward`` it
    keeps ``E``, so that a trace can show every matrix. ``dropout`` is the rate of inverted
    dropout applied to A while training: kept units are scaled by 1 / (1 − dropout), so
    nothing changes at prediction time.

    Training reuses memory: with ``reuse=True`` (what ``Network.loss_and_gradient`` asks for)
    Z and A, and in backward E and dX, are written through ``out=`` into buffers allocated
    once per batch size, so a training step allocates nothing. X, Z, A and E then hold the
    last pass's matrices until the next pass overwrites them: copy them to keep them.
    ``forward`` without ``reuse`` (prediction) returns fresh arrays.

    In training, a ``compiled`` layer does its elementwise work in one compiled loop each way
    (``glassnet.kernels.elementwise``: Z += B with A = f(Z); E = dA * f'(Z) with dB); a
    network makes all its layers compiled when it has ``kernels.MIN_PARAMS`` parameters or
    more (softmax's forward pass included). Other layers, and custom activations without
    scalar rules, run the NumPy form of the same rules.
    """

    compiled = False  # (the default of layers pickled before the attribute existed)
    # (for layers pickled before the attribute existed; __init__ sets it on every layer)
    gemm: Callable[..., Array] = staticmethod(np.dot)

    def __init__(
        self,
        index: int,
        W: Array,
        B: Array,
        dW: Array,
        dB: Array,
        activation: Activation,
        dropout: float = 0.0,
        compiled: bool = False,
    ) -> None:
        self.index = index  # 1-based, as people count layers
        self.compiled = compiled
        self.W, self.B, self.dW, self.dB = W, B, dW, dB
        self.activation = activation
        self.dropout = dropout
        self.mask: Array | None = None
        self.X = self.Z = self.A = self.E = np.empty((0, 0), dtype=W.dtype)
        self._buffers: dict[tuple[str, int], Array] = {}
        # the library of the products Z = X·W, dW = Xᵀ·E and dX = E·Wᵀ: NumPy's, unless a
        # fit's trial chose MKL for its steps (glassnet.threads, glassnet.kernels.mkl). Set
        # here, never deleted: an instance whose __dict__ is touched loses CPython's fast
        # attribute access (measured: tiny's forward pass 4.5 → 5.2 µs a step)
        self.gemm = np.dot

    @property
    def name(self) -> str:
        return f"layer{self.index}"

    @property
    def fan_in(self) -> int:
        return int(self.W.shape[0])

    @property
    def fan_out(self) -> int:
        return int(self.W.shape[1])

    def buffer(self, name: str, n: int, width: int | None = None) -> Array:
        """An (n, width) array (width = fan-out) kept for reuse under ``name``: allocated
        once per batch size and overwritten by every pass that asks for it."""
        B = self._buffers.get((name, n))
        if B is None:  # (copies start without buffers; rebinding W clears them)
            if len(self._buffers) >= 12:  # a few batch sizes at most (full and last batch)
                self._buffers.clear()
            B = np.empty((n, self.fan_out if width is None else width), dtype=self.W.dtype)
            self._buffers[(name, n)] = B
        return B

    def clear_buffers(self) -> None:
        """Drop the kept buffers (the next pass allocates them again)."""
        self._buffers = {}

    def __getstate__(self) -> dict[str, object]:
        """Copies and pickles leave the buffers behind: they are scratch space."""
        return {**self.__dict__, "_buffers": {}, "gemm": np.dot}  # (gemm: a fit's choice)

    def forward(
        self, X: Array, rng: np.random.Generator | None = None, reuse: bool = False
    ) -> Array:
        """Z = X @ W + B; A = f(Z), with dropout on A when an ``rng`` is given (training).

        Shapes: X (n, i) -> A (n, o). With ``reuse``, Z and A are the layer's buffers.
        """
        n = X.shape[0]
        Z = self.buffer("Z", n) if reuse else np.empty((n, self.fan_out), self.W.dtype)
        A = self.buffer("A", n) if reuse else np.empty_like(Z)
        self.X = X
        self.Z = self.gemm(X, self.W, out=Z)
        fused = self._fused() if reuse else None
        if fused is None or not fused.forward(self.activation, Z, self.B, A):
            np.add(Z, self.B, out=Z)  # Z += B: B is a row, so it broadcasts over the batch
            apply(self.activation, Z, out=A)  # A = f(Z)
        self.A = A
        self.mask = None
        if rng is not None and self.dropout > 0:
            keep = 1.0 - self.dropout
            self.mask = (rng.random(self.A.shape) < keep).astype(self.A.dtype) / keep
            return self.A * self.mask
        return self.A

    def backward(self, dA: Array, need_dX: bool = True) -> Array | None:
        """E = dA * f'(Z); then ``gradient(E)``. E (and dX) are the layer's buffers.

        Shapes: dA (n, o) -> dX (n, i), or None when ``need_dX`` is false.
        """
        if self.mask is not None:
            dA = dA * self.mask  # the dropped units passed nothing forward, so get nothing back
        E = self.buffer("E", len(dA))
        fused = self._fused()
        if fused is not None and fused.backward(self.activation, dA, self.Z, self.A, E, self.dB):
            return self.gradient(E, need_dX, dB_done=True)  # E and dB in one compiled pass
        self.activation.backward(dA, self.Z, self.A, out=E)  # E = dA * f'(Z)
        return self.gradient(E, need_dX)

    def _fused(self) -> Any:
        """The compiled elementwise kernels, where this layer uses them (``compiled``)."""
        return kernels.for_layer() if self.compiled else None

    def gradient(self, E: Array, need_dX: bool = True, dB_done: bool = False) -> Array | None:
        """dW = X.T @ E; dB = sum of E over rows; dX = E @ W.T (into a buffer).

        Shapes: E (n, o) -> dW (i, o), dB (1, o), dX (n, i). The first layer skips dX.
        """
        self.E = E
        self.gemm(self.X.T, E, out=self.dW)
        if not dB_done:  # (the compiled backward pass summed dB already)
            np.dot(ones(len(E), E.dtype), E, out=self.dB[0])  # dB = 1ᵀ·E (faster than a sum)
        if not need_dX:
            return None
        return self.gemm(E, self.W.T, out=self.buffer("dX", len(E), self.fan_in))

    def __repr__(self) -> str:
        drop = f", dropout={self.dropout}" if self.dropout else ""
        return f"Dense({self.fan_in} -> {self.fan_out}, {self.activation.name}{drop})"
