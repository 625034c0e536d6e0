"""Plots (matplotlib, imported only when a plot is drawn: pip install 'glassnet[plot]')."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from glassnet._typing import ArrayLike

# ---- loss curves and decision boundaries (issue 5) ------------------------------------------


def _pyplot_for_curves() -> Any:
    """matplotlib.pyplot, or an ImportError saying how to install it."""
    try:
        # with no screen, matplotlib falls back to drawing into files (Agg) by itself
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plotting needs matplotlib: pip install 'glassnet[plot]'") from None
    return plt


def loss_curves(history: Any, path: str | os.PathLike[str] | None = None, ax: Any = None) -> Any:
    """Plot the training loss per epoch (and the validation loss when there is one).

    ``history`` is a History (``net.fit``'s result) or a dict of lists with a ``"loss"`` key.
    Draws on ``ax`` if given, else on a new figure; writes the image to ``path`` if given
    (atomically, so a failure leaves an existing file as it was). Returns the figure.
    """
    plt = _pyplot_for_curves()
    h = getattr(history, "history", history)
    if not h.get("loss"):
        raise ValueError("the history has no 'loss' values to plot")
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6, 4))
    epochs = np.arange(1, len(h["loss"]) + 1)
    ax.plot(epochs, h["loss"], label="training loss")
    if h.get("val_loss"):
        ax.plot(epochs[: len(h["val_loss"])], h["val_loss"], label="validation loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cost C")
    ax.set_title("loss curves")
    ax.grid(alpha=0.3)
    ax.legend()
    if path is not None:
        _save_figure(fig, Path(path))
    return fig


def decision_boundary(
    model: Any,
    X: ArrayLike,
    y: ArrayLike,
    path: str | os.PathLike[str] | None = None,
    ax: Any = None,
    resolution: int = 200,
) -> Any:
    """Colour the plane by the class ``model`` predicts, with the samples (X, y) on top.

    X must have two feature columns. ``model`` is a Network (its stored feature scaling is
    applied, as ``glassnet predict`` does) or any object with a ``predict`` method (such as
    a scikit-learn estimator). Returns the figure; writes it to ``path`` if given.
    """
    from glassnet.network import Network

    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_boundary needs X with two columns, got shape {X.shape}")
    if len(y) != len(X):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
    plt = _pyplot_for_curves()
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0) + 1e-12)
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    g0, g1 = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    grid = np.column_stack([g0.ravel(), g1.ravel()])
    classes: Any
    pred: Any
    y_idx: Any
    if isinstance(model, Network):
        from glassnet.tabular import labels_of, predict_indices

        if not model.is_classifier:
            raise ValueError("decision_boundary needs a classifier; this network is a regressor")
        classes = labels_of(model)
        pred = predict_indices(model, grid)
        if y.dtype.kind in "iu":
            y_idx = y
        else:  # labels as stored in the model (glassnet train keeps them as text)
            lookup = {str(label): k for k, label in enumerate(classes)}
            unknown = [v for v in y if str(v) not in lookup]
            if unknown:
                raise ValueError(f"y holds label {unknown[0]!r}, which the model does not know")
            y_idx = np.array([lookup[str(v)] for v in y])
    else:
        pred_labels = np.asarray(model.predict(grid))
        classes, both = np.unique(np.concatenate([y, pred_labels]), return_inverse=True)
        pred, y_idx = both[len(y) :], both[: len(y)]
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(5, 5))
    levels = np.arange(len(classes) + 1) - 0.5
    ax.contourf(
        g0, g1, pred.reshape(g0.shape), levels=levels, cmap="tab10", alpha=0.3, vmin=0, vmax=9
    )
    ax.scatter(X[:, 0], X[:, 1], c=y_idx, cmap="tab10", vmin=0, vmax=9, edgecolors="k", s=20)
    ax.set_xlabel("feature 1")
    ax.set_ylabel("feature 2")
    ax.set_title("decision boundary")
    if path is not None:
        _save_figure(fig, Path(path))
    return fig


def _save_figure(fig: Any, path: Path) -> None:
    """fig.savefig to a temporary file beside ``path``, then rename (atomic)."""
    import io

    from glassnet.saving import write_atomic

    buffer = io.BytesIO()
    fig.savefig(
        buffer, format=path.suffix.lstrip(".").lower() or "png", dpi=120, bbox_inches="tight"
    )
    write_atomic(path, buffer.getvalue())
