"""Each optimizer's update as one parallel pass over P, G and its state (numba).

The rules are those of ``glassnet.optimizers`` (PyTorch's) and of the scikit-learn variants,
written per entry; the NumPy code there is the reference, and tests/unit/test_kernels.py
checks these loops against it in float32 and float64. The scalars arrive in P's dtype, so
float32 stays float32 (one float64 constant would promote every entry and stop the loop
vectorising), and the square root is ``np.sqrt`` for the same reason.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

_jit = numba.njit(parallel=True, cache=True, nogil=True)


@_jit
def adam(
    P: Any, G: Any, M: Any, V: Any, wd: Any, decoupled: Any, b1: Any, b2: Any,
    step_size: Any, root_bias2: Any, eps: Any, eps_first: Any,
) -> None:  # fmt: skip
    """M ← β1·M + (1−β1)·G; V ← β2·V + (1−β2)·G²; P ← P − step · M / (√V / √(1−β2^t) + eps).

    ``wd``: L2 added to G (Adam) or, with ``decoupled``, P ← P·(1 − wd) first (AdamW, wd
    already multiplied by the rate); ``eps_first``: eps added to √V before the correction
    (scikit-learn's Adam).
    """
    one = b1 - b1 + 1
    for i in numba.prange(P.size):
        g = G[i]
        if decoupled:
            P[i] *= one - wd
        else:
            g += wd * P[i]
        m = b1 * M[i] + (one - b1) * g
        v = b2 * V[i] + (one - b2) * (g * g)
        M[i] = m
        V[i] = v
        if eps_first:
            d = (np.sqrt(v) + eps) / root_bias2
        else:
            d = np.sqrt(v) / root_bias2 + eps
        P[i] -= step_size * (m / d)


@_jit
def sgd(P: Any, G: Any, lr: Any, wd: Any) -> None:
    """P ← P − lr · (G + wd·P)."""
    for i in numba.prange(P.size):
        P[i] -= lr * (G[i] + wd * P[i])


@_jit
def sgd_momentum(
    P: Any, G: Any, V: Any, lr: Any, wd: Any, momentum: Any, nesterov: Any, first: Any
) -> None:
    """V ← momentum·V + G (V ← G on the first step); P ← P − lr·V (Nesterov: G + momentum·V)."""
    for i in numba.prange(P.size):
        g = G[i] + wd * P[i]
        v = g if first else momentum * V[i] + g
        V[i] = v
        P[i] -= lr * (g + momentum * v if nesterov else v)


@_jit
def sklearn_sgd(P: Any, G: Any, V: Any, lr: Any, momentum: Any, nesterov: Any) -> None:
    """V ← momentum·V − lr·G; P ← P + V (Nesterov: P ← P + momentum·V − lr·G)."""
    for i in numba.prange(P.size):
        v = momentum * V[i] - lr * G[i]
        V[i] = v
        P[i] += momentum * v - lr * G[i] if nesterov else v


@_jit
def rmsprop(
    P: Any, G: Any, V: Any, Gbar: Any, B: Any, lr: Any, alpha: Any, eps: Any, wd: Any,
    momentum: Any, centered: Any, use_momentum: Any,
) -> None:  # fmt: skip
    """V ← α·V + (1−α)·G²; D = √V + eps (centered: √(V − Ḡ²) + eps, Ḡ ← α·Ḡ + (1−α)·G);
    P ← P − lr · G / D (momentum: B ← momentum·B + G / D; P ← P − lr·B)."""
    one = alpha - alpha + 1
    for i in numba.prange(P.size):
        g = G[i] + wd * P[i]
        v = alpha * V[i] + (one - alpha) * g * g
        V[i] = v
        if centered:
            gb = alpha * Gbar[i] + (one - alpha) * g
            Gbar[i] = gb
            d = np.sqrt(v - gb * gb) + eps
        else:
            d = np.sqrt(v) + eps
        if use_momentum:
            b = momentum * B[i] + g / d
            B[i] = b
            P[i] -= lr * b
        else:
            P[i] -= lr * g / d
