"""Pictures, drawn with matplotlib (the ``plot`` extra), which is imported only when a picture
is asked for.

``network_diagram`` draws a network the way the seed's figures do: input, hidden and output
neurons in columns, weights as edges whose colour gives the sign and whose width gives the
size, and, for a trace, the forward values (Z, A) at each neuron and the backward errors (E).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet._typing import ArrayLike

if TYPE_CHECKING:
    from glassnet.network import Network
    from glassnet.trace import Trace


def _pyplot() -> Any:
    """matplotlib.pyplot, imported on first use (the ``plot`` extra)."""
    _matplotlib()
    import matplotlib.pyplot as plt

    return plt


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError:  # pragma: no cover - the message is the point
        raise ImportError(
            "plots need matplotlib: pip install -e '.[plot]' in a glassnet clone"
        ) from None
    return matplotlib


def _file_figure(figsize: tuple[float, float]) -> Any:
    """A Figure outside pyplot, drawn by Agg when saved: no window, no backend switch in a
    notebook, and nothing to close afterwards.
    """
    _matplotlib()
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


# ---- network diagram -------------------------------------------------------------------------

POSITIVE, NEGATIVE = "#1f6fb4", "#d03a2f"  # edge colours: blue for w > 0, red for w < 0
FILL = {"input": "#e8e8e8", "hidden": "#fff2c6", "output": "#d8f0d2"}
SLOT_HEIGHT = 1.15  # inches per neuron row
COLUMN_WIDTH = 3.0  # inches per layer column
MAX_EDGE_LABELS = 6  # weights are written on the edges between two layers up to this many


def shown_neurons(n: int, max_neurons: int = 10) -> list[int | None]:
    """Which neurons of a layer of ``n`` to draw: all up to ``max_neurons``, else the first
    and last few with ``None`` (an ellipsis) between them.

    >>> shown_neurons(3), shown_neurons(12, 7)
    ([0, 1, 2], [0, 1, 2, None, 9, 10, 11])
    """
    if n <= max_neurons:
        return list(range(n))
    k = max((max_neurons - 1) // 2, 1)
    return [*range(k), None, *range(n - k, n)]


def diagram_size(sizes: list[int], max_neurons: int = 10) -> tuple[float, float]:
    """The figure size in inches that ``network_diagram`` uses for a network of ``sizes``."""
    rows = max(len(shown_neurons(s, max_neurons)) for s in sizes)
    return (1.0 + COLUMN_WIDTH * len(sizes), 2.2 + SLOT_HEIGHT * rows)


def network_diagram(
    net: Network,
    trace: Trace | None = None,
    ax: Any = None,
    sample: int = 0,
    max_neurons: int = 10,
) -> Any:
    """Draw ``net``: neurons per layer, weights as edges (blue positive, red negative, width
    ∝ |w| within each layer), biases; with a ``trace``, Z, A and E of one ``sample`` at each
    neuron. Layers wider than ``max_neurons`` show their first and last few neurons.

    Returns the matplotlib Axes (a new figure of ``diagram_size`` when ``ax`` is None).
    """
    from glassnet.trace.equations import apply as _apply
    from glassnet.trace.equations import layer_names as _layer_names

    if ax is None:
        plt = _pyplot()
        _, ax = plt.subplots(figsize=diagram_size(net.sizes, max_neurons))
    L = len(net.layers)
    if trace is not None and not 0 <= sample < trace.n_samples:
        raise ValueError(f"sample {sample} is outside 0..{trace.n_samples - 1}")
    shown = [shown_neurons(s, max_neurons) for s in net.sizes]
    rows = max(len(s) for s in shown)
    y_of = [{i: (len(s) - 1) / 2 - k for k, i in enumerate(s) if i is not None} for s in shown]

    # edges first, so that neurons and labels sit on top of them
    for l, layer in enumerate(net.layers, start=1):
        W = np.asarray(layer.W)
        scale = float(np.abs(W).max()) or 1.0
        pairs = [(i, j) for i in y_of[l - 1] for j in y_of[l]]
        for i, j in pairs:
            w = float(W[i, j])
            ax.plot(
                [l - 1, l],
                [y_of[l - 1][i], y_of[l][j]],
                color=POSITIVE if w >= 0 else NEGATIVE,
                linewidth=0.4 + 3.6 * abs(w) / scale,
                alpha=0.75,
                zorder=1,
                solid_capstyle="round",
            )
            if len(pairs) <= MAX_EDGE_LABELS:
                t = 0.28  # along the edge from its source, where edges from one neuron fan out
                x, y = l - 1 + t, y_of[l - 1][i] + t * (y_of[l][j] - y_of[l - 1][i])
                ax.text(x, y, f"{w:.3g}", fontsize=7, ha="center", va="center", zorder=3,
                        color=POSITIVE if w >= 0 else NEGATIVE, bbox=_box())  # fmt: skip

    for l, neurons in enumerate(shown):
        kind = "input" if l == 0 else "output" if l == L else "hidden"
        for k, unit in enumerate(neurons):
            y = (len(neurons) - 1) / 2 - k
            if unit is None:
                more = net.sizes[l] - len(neurons) + 1
                ax.text(l, y, f"⋮\n{more} more", ha="center", va="center", fontsize=8)
                continue
            ax.scatter([l], [y], s=620, color=FILL[kind], edgecolor="#333333", zorder=4)
            ax.text(l, y, str(unit + 1), ha="center", va="center", fontsize=8, zorder=5)
            note = _neuron_note(net, trace, l, unit, sample)
            if note:
                ax.text(l, y - 0.2, note, ha="center", va="top", fontsize=7, zorder=6,
                        family="monospace", bbox=_box(edge=True))  # fmt: skip

    for l in range(L + 1):
        size = f"{net.sizes[l]} {'feature' if l == 0 else 'neuron'}{'s' * (net.sizes[l] != 1)}"
        if l == 0:
            title = f"Input X\n{size}"
        else:
            f, names = net.layers[l - 1].activation, _layer_names(l, L)
            A, Z, Wl, Bl = (names[k][0] for k in ("A", "Z", "W", "B"))
            prev = "X" if l == 1 else _layer_names(l - 1, L)["A"][0]
            role = "Output" if l == L else "Hidden" if L == 2 else f"Hidden layer {l}"
            title = f"{role}: {_apply(f, A, Z)}\n{Z} = {prev} @ {Wl} + {Bl}\n{size}, {f.name}"
        ax.text(l, (rows - 1) / 2 + 0.55, title, ha="center", va="bottom", fontsize=8.5)

    about = f"{net.sizes}, loss {net.loss.name} ({net.reduction})"
    if trace is not None:
        about += f"; values for sample {sample + 1} of {trace.n_samples}, C = {trace.cost:.4g}"
    ax.set_title(f"glassnet network {about}", fontsize=9.5, pad=4)
    legend = (
        "edges: weights W, blue > 0, red < 0, width ∝ |w| within each layer      "
        "forward →  Z = A_prev @ W + B,  A = f(Z)      "
        "← backward  E = (E_next @ W_next.T) * f'(Z)"
    )
    ax.text(L / 2, -(rows - 1) / 2 - 1.05, legend, ha="center", va="top", fontsize=7,
            color="#555555")  # fmt: skip
    ax.set_xlim(-0.45, L + 0.45)
    ax.set_ylim(-(rows - 1) / 2 - 1.3, (rows - 1) / 2 + 1.45)
    ax.axis("off")
    return ax


def _box(edge: bool = False) -> dict[str, Any]:
    """An opaque white box behind a label: the edges (zorder 1) pass behind it, never through
    its text."""
    return {
        "boxstyle": "round,pad=0.25" if edge else "round,pad=0.15",
        "fc": "white",
        "ec": "#bbbbbb" if edge else "none",
        "lw": 0.6,
        "alpha": 1.0,
    }


def _neuron_note(net: Network, trace: Trace | None, l: int, i: int, s: int) -> str:
    """The numbers beside neuron i of layer l: its bias, and Z, A, E (and x or y) of sample s."""
    L = len(net.layers)
    if trace is None:
        return "" if l == 0 else f"B {float(net.layers[l - 1].B[0, i]):.3g}"
    if l == 0:
        return f"x {float(trace['X'][s, i]):.4g}"
    lines = [
        f"B {float(trace[f'B{l}'][0, i]):.4g}",
        f"Z {float(trace[f'Z{l}'][s, i]):.4g}",
        f"A {float(trace[f'A{l}'][s, i]):.4g}",
    ]
    if l == L:
        lines.append(f"y {float(trace['Y'][s, i]):.4g}")
    lines.append(f"E {float(trace[f'E{l}'][s, i]):.4g}")
    return "\n".join(lines)


def save_network_diagram(
    net: Network,
    path: str | os.PathLike[str],
    trace: Trace | None = None,
    sample: int = 0,
    max_neurons: int = 10,
    dpi: int = 100,
) -> None:
    """Draw ``network_diagram`` into an image file (PNG, SVG or PDF by its extension); the
    image is ``diagram_size(net.sizes)`` inches at ``dpi``.
    """
    fig = _file_figure(diagram_size(net.sizes, max_neurons))
    ax = fig.subplots()
    network_diagram(net, trace, ax=ax, sample=sample, max_neurons=max_neurons)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.95, bottom=0.01)
    fig.savefig(path, dpi=dpi)


# ---- loss curves and decision boundaries ------------------------------------------


def loss_curves(history: Any, path: str | os.PathLike[str] | None = None, ax: Any = None) -> Any:
    """Plot the training loss per epoch (and the validation loss when there is one).

    ``history`` is a History (``net.fit``'s result) or a dict of lists with a ``"loss"`` key.
    Draws on ``ax`` if given, else on a new figure; writes the image to ``path`` if given
    (atomically, so a failure leaves an existing file as it was). Returns the figure.
    """
    plt = _pyplot()
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
    plt = _pyplot()
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
        from glassnet.tables import Model

        if not model.is_classifier:
            raise ValueError("decision_boundary needs a classifier; this network is a regressor")
        table_model = Model.of(model)  # applies a stored feature scaling
        classes = table_model.labels
        pred = np.argmax(table_model.outputs(grid), axis=1)
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
    _class_legend(ax, classes)
    ax.set_xlabel("feature 1")
    ax.set_ylabel("feature 2")
    ax.set_title("decision boundary")
    if path is not None:
        _save_figure(fig, Path(path))
    return fig


def _class_legend(ax: Any, classes: Any) -> None:
    """A legend with one entry per class: its colour (tab10, as the regions) and its label."""
    from matplotlib import colormaps
    from matplotlib.lines import Line2D

    colour = colormaps["tab10"]
    handles = [
        Line2D([], [], marker="o", linestyle="", markerfacecolor=colour(k % 10),
               markeredgecolor="k", markersize=6, label=str(label))
        for k, label in enumerate(classes)
    ]  # fmt: skip
    ax.legend(handles=handles, title="class", loc="best", fontsize=8, framealpha=0.9)


def _save_figure(fig: Any, path: Path) -> None:
    """fig.savefig to a temporary file beside ``path``, then rename (atomic)."""
    import io

    from glassnet.saving import write_atomic

    buffer = io.BytesIO()
    fig.savefig(
        buffer, format=path.suffix.lstrip(".").lower() or "png", dpi=120, bbox_inches="tight"
    )
    write_atomic(path, buffer.getvalue())
