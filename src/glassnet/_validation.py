"""Input checks: every bad input gets a ValueError naming the matrix, the layer and both shapes.

Nothing here changes a network; the checks run before any computation touches it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet._typing import Array

if TYPE_CHECKING:
    from glassnet.network import Network


def _where_not_finite(name: str, M: np.ndarray[Any, Any]) -> str:
    bad = np.argwhere(~np.isfinite(M))
    row, *col = bad[0]
    kind = "NaN" if np.isnan(M[tuple(bad[0])]) else "inf"
    place = f"row {row}" + (f", column {col[0]}" if col else "")
    more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
    return f"{name} contains {kind} at {place}{more}: remove or impute non-finite values first"


def _all_finite(A: Array) -> bool:
    """True when A holds no NaN or inf. A finite sum proves it in one pass without a boolean
    temporary (NaN and inf always reach the sum); only an overflowing sum needs the check
    entry by entry."""
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(A, axis=None)
    return bool(np.isfinite(total)) or bool(np.isfinite(A).all())


def as_matrix(name: str, M: Any, dtype: np.dtype[Any]) -> Array:
    """Return ``M`` as a finite 2-D array of ``dtype``, or raise ValueError saying what is wrong."""
    try:
        A = np.asarray(M)
    except (TypeError, ValueError) as exc:  # ragged lists and the like
        raise ValueError(f"{name} could not be read as a numeric matrix: {exc}") from None
    if A.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} must hold numbers, but its dtype is {A.dtype}: convert it with "
            f"np.asarray({name}, dtype=float) (encode text or categories first)"
        )
    if A.ndim == 1:
        raise ValueError(
            f"{name} is 1-D with shape {A.shape} but must be 2-D (n samples, features): "
            f"use {name}.reshape(-1, 1) for one feature or {name}.reshape(1, -1) for one sample"
        )
    if A.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n samples, features), but its shape is {A.shape}")
    if A.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {A.shape}): it needs at least one row")
    A = np.ascontiguousarray(A, dtype=dtype)
    if not _all_finite(A):
        raise ValueError(_where_not_finite(name, A))
    return A


def check_X(net: Network, X: Any, name: str = "X") -> Array:
    """X as a finite (n, i) array of the network's dtype, with i = fan-in of layer 1."""
    A = as_matrix(name, X, net.dtype)
    W1 = net.layers[0].W
    if A.shape[1] != W1.shape[0]:
        raise ValueError(
            f"layer 1: {name} has {A.shape[1]} columns but W1 is {W1.shape}: the network "
            f"expects {W1.shape[0]} features per row ({name} is {A.shape})"
        )
    return A


def check_Y(net: Network, Y: Any, n: int, name: str = "Y") -> Array:
    """Targets as a finite (n, o) array of the network's dtype; integer labels become one-hot.

    Accepted: for ``cross_entropy``, integer labels 0..o-1 of shape (n,) or (n, 1), or
    one-hot / probability rows (n, o); otherwise (n, o), or (n,) when o = 1.
    """
    o = net.layers[-1].fan_out
    L = len(net.layers)
    try:
        T = np.asarray(Y)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} could not be read as a numeric array: {exc}") from None
    if T.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} must hold numbers, but its dtype is {T.dtype}: encode text labels as "
            "integers 0..k-1 first (glassnet.sklearn.MLPClassifier does this for you)"
        )
    if T.ndim == 0 or T.ndim > 2:
        raise ValueError(f"{name} must be 1-D or 2-D, but its shape is {T.shape}")
    if T.shape[0] != n:
        raise ValueError(
            f"X has {n} rows but {name} has {T.shape[0]}: each sample needs one target row"
        )
    if not np.isfinite(T).all():
        raise ValueError(_where_not_finite(name, T))
    T = net.loss.targets(T, o, net.dtype, name)  # labels become one-hot for cross_entropy
    if T.shape[1] != o:
        raise ValueError(
            f"layer {L}: {name} is {T.shape} but O is ({n}, {o}) (W{L} is "
            f"{net.layers[-1].W.shape}): give {o} target columns per row"
        )
    return T


def check_sample_weight(sample_weight: Any, n: int, dtype: np.dtype[Any]) -> Array | None:
    """Per-sample weights as a finite, non-negative (n, 1) column, or None."""
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight, dtype=dtype).reshape(-1, 1)
    if w.shape[0] != n:
        raise ValueError(f"sample_weight has {w.shape[0]} entries but X has {n} rows")
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise ValueError("sample_weight must be finite, non-negative and not all zero")
    return w
