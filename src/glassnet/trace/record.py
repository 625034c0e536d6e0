"""Trace: every named matrix of one forward pass, one backward pass and the update they imply.

The seed's table (X, Wh, Bh, Zh, H, Wo, Bo, Zo, O), its errors (Eo, Eh), the derivatives of
the cost (dWo, dWh, dBo, dBh) and gradient descent's new weights, for any network: each with
its name, a description, the equation that made it in the seed's notation, and its values.

The trace drives the real network (``Network.propagate``, ``last_cost``, ``backpropagate``)
and copies what the layers hold as soon as each pass ends, so every shape is read from a real
array, never typed by hand. Names: the seed's for a network with one hidden layer (``Zh``, ``H``,
``Eo``); the indexed names (``Z1``, ``A1``, ``E2``) for any depth, always available as
aliases; the output layer also answers to ``Wo``, ``Zo``, ``O``, ``Eo`` at any depth.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet._typing import Array, ArrayLike
from glassnet.trace.equations import (
    apply,
    cost_equation,
    error_where,
    layer_names,
    layer_role,
    output_error,
    times_df,
)
from glassnet.trace.quantities import Trace, TraceStep

if TYPE_CHECKING:
    from glassnet.network import Network


def trace(net: Network, X: ArrayLike, Y: ArrayLike, learning_rate: float = 0.01) -> Trace:
    """Run one forward and one backward pass of ``net`` on (X, Y) and name every matrix.

    The update ``W ← W − η·dW`` is computed for the trace only: ``net``'s weights are not
    changed (its last-pass caches and gradient vector are, as after ``net.gradients``).
    Dropout is off, as at prediction time.

    Shapes: X (n, sizes[0]), Y (n, sizes[-1]) or integer labels (n,).
    """
    learning_rate = float(learning_rate)
    if not np.isfinite(learning_rate):
        raise ValueError(f"learning_rate must be a finite number, got {learning_rate}")
    Xc, Yc, scale = net.check(X, Y)
    L = len(net.layers)
    names = [layer_names(l, L) for l in range(1, L + 1)]
    out = names[-1]

    def name(l: int, kind: str) -> str:
        return "X" if l == 0 and kind == "A" else names[l - 1][kind][0]

    def add(phase: str, l: int, kind: str, text: str, equation: str, M: Any, shapes: str) -> None:
        key, aliases = names[l - 1][kind]
        steps.append(TraceStep(phase, key, text, equation, _copy(M), aliases, l, shapes))

    steps = [TraceStep("input", "X", "Input", "given", _copy(Xc), ("A0",))]

    # forward: copied now, before the backward pass may reuse any buffer
    net.propagate(Xc)
    for layer in net.layers:
        l, f, role = layer.index, layer.activation, layer_role(layer.index, L)
        W, B, Z, A = (name(l, k) for k in ("W", "B", "Z", "A"))
        add("parameter", l, "W", f"{role} weights", "given", layer.W, "")
        add("parameter", l, "B", f"{role} bias", "given", layer.B, "")
        shapes = f"{layer.Z.shape} = {layer.X.shape} @ {layer.W.shape} + {layer.B.shape}"
        equation = f"{Z} = {name(l - 1, 'A')} @ {W} + {B}"
        add("forward", l, "Z", f"{role} weighted input", equation, layer.Z, shapes)
        shapes = f"{layer.A.shape} = {f.symbol}({layer.Z.shape})"
        add("forward", l, "A", f"{role} activations", apply(f, A, Z), layer.A, shapes)
    steps.append(TraceStep("target", "Y", "Targets", "given", _copy(Yc)))
    C = net.last_cost(Yc, scale)
    equation = cost_equation(net, out["A"][0])
    steps.append(TraceStep("cost", "C", "Cost", equation, np.asarray(C, dtype=net.dtype)))

    net.backpropagate(Yc, scale)
    for layer in reversed(net.layers):
        l, f = layer.index, layer.activation
        shapes = str(layer.E.shape)
        if l == L:
            equation = output_error(net, name(l, "E"), out["A"][0], name(l, "Z"))
        else:
            nxt = net.layers[l]
            shapes = f"{layer.E.shape} = ({nxt.E.shape} @ {nxt.W.T.shape}) * {layer.Z.shape}"
            back = f"{name(l + 1, 'E')} @ {name(l + 1, 'W')}.T"
            equation = f"{name(l, 'E')} = " + times_df(f, back, name(l, "Z"))
        add("backward", l, "E", f"{error_where(l, L)} error", equation, layer.E, shapes)
    for layer in reversed(net.layers):
        l, Aprev, E = layer.index, name(layer.index - 1, "A"), name(layer.index, "E")
        for k, G in (("W", layer.dW), ("B", layer.dB)):
            if k == "W":
                equation = f"d{name(l, 'W')} = {Aprev}.T @ {E}"
                shapes = f"{G.shape} = {layer.X.T.shape} @ {layer.E.shape}"
            else:
                equation = f"d{name(l, 'B')} = Σ_rows {E}"
                shapes = f"{G.shape} = Σ_rows {layer.E.shape}"
            add("gradient", l, "d" + k, f"dC/d{name(l, k)}", equation, G, shapes)
    for layer in net.layers:
        l, role = layer.index, layer_role(layer.index, L).lower()
        for k, P, G in (("W", layer.W, layer.dW), ("B", layer.B, layer.dB)):
            what = "weights" if k == "W" else "bias"
            equation = f"{name(l, k)} ← {name(l, k)} − η·{name(l, 'd' + k)}"
            shapes = f"{P.shape} = {P.shape} − η·{G.shape}"
            new = P - learning_rate * G
            add("update", l, f"{k}_new", f"Updated {role} {what}", equation, new, shapes)
    return Trace(steps, net, learning_rate)


def _copy(M: Any) -> Array:
    return np.array(M, copy=True)
