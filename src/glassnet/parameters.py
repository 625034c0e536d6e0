"""All weights and biases in ONE flat contiguous vector; each W and B is a view into it.

Layout: ``[W1, B1, W2, B2, ...]``, each matrix in row-major order. An optimizer step, L-BFGS,
gradient checking, saving and an MPI Allreduce each see one array; a layer's W and B are
still ordinary arrays for the reader. The gradients live in a second vector of the same
layout, so ``dW1`` is a view of it exactly where ``W1`` is a view of the parameters.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from glassnet._typing import Array


def layout(sizes: Sequence[int]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Shapes of (W, B) per layer: W (i, o) and B (1, o) for consecutive sizes (i, o)."""
    return [((i, o), (1, o)) for i, o in itertools.pairwise(sizes)]


def count(sizes: Sequence[int]) -> int:
    """Number of parameters: Σ (i·o + o) over layers."""
    return sum(i * o + o for i, o in itertools.pairwise(sizes))


def views(vector: Array, sizes: Sequence[int]) -> list[tuple[Array, Array]]:
    """Split the flat ``vector`` into per-layer (W, B) views (no copies).

    Shapes: vector (count(sizes),) -> [(W1 (i, o), B1 (1, o)), ...].
    """
    out = []
    start = 0
    for w_shape, b_shape in layout(sizes):
        w_size, b_size = w_shape[0] * w_shape[1], b_shape[1]
        W = vector[start : start + w_size].reshape(w_shape)
        B = vector[start + w_size : start + w_size + b_size].reshape(b_shape)
        out.append((W, B))
        start += w_size + b_size
    return out


def weight_mask(sizes: Sequence[int], dtype: np.dtype) -> Array:
    """1 where the flat vector holds a weight, 0 where it holds a bias (for L2 penalties)."""
    mask = np.zeros(count(sizes), dtype=dtype)
    for W, _ in views(mask, sizes):
        W[...] = 1
    return mask
