"""Trace: every named matrix of one forward pass, one backward pass and the update they imply.

The seed's table (X, Wh, Bh, Zh, H, Wo, Bo, Zo, O), its errors (Eo, Eh), the derivatives of
the cost (dWo, dWh, dBo, dBh) and gradient descent's new weights, for any network: each with
its name, a description, the equation that made it in the seed's notation, and its values.

The trace drives the real network (``Network.propagate``, ``last_cost``, ``backpropagate``) and copies
what the layers hold as soon as each pass ends, so every shape is read from a real array,
never typed by hand. Names: the seed's for a network with one hidden layer (``Zh``, ``H``,
``Eo``); the indexed names (``Z1``, ``A1``, ``E2``) for any depth, always available as
aliases; the output layer also answers to ``Wo``, ``Zo``, ``O``, ``Eo`` at any depth.

>>> import glassnet as gn
>>> net, X, Y = gn.datasets.seed_example()
>>> tr = net.trace(X, Y)
>>> tr["Zh"].shape, tr.step("Eh").equation
((3, 2), "Eh = (Eo @ Wo.T) * R'(Zh)")
>>> tr["W1"] is tr["Wh"]
True
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet import _render
from glassnet._equations import (
    _apply,
    _cost_equation,
    _layer_names,
    _output_error,
    _role,
    _times_df,
    _where,
)
from glassnet._narrative import _narrative
from glassnet._typing import Array, ArrayLike

if TYPE_CHECKING:
    from glassnet.network import Network

PHASES = ("input", "parameter", "forward", "target", "cost", "backward", "gradient", "update")


@dataclass(frozen=True, eq=False)
class TraceStep:
    """One named matrix of the trace: ``TraceStep("forward", "Zh", ..., "Zh = X @ Wh + Bh")``.

    ``values`` is a copy taken from the network right after the pass that made it; ``shape``
    is read from it. ``shapes`` writes the equation in shapes, ``(3, 2) = (3, 1) @ (1, 2) +
    (1, 2)``. ``layer`` counts from 1 (None for X, Y and C).
    """

    phase: str
    name: str
    description: str
    equation: str
    values: Array
    aliases: tuple[str, ...] = ()
    layer: int | None = None
    shapes: str = ""

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(int(s) for s in self.values.shape)


class Trace:
    """The named quantities of one forward + backward pass; ``trace["Zh"]`` is the array.

    Renderings: ``table()``, ``narrative()``, ``to_markdown()``, ``to_html()`` (and
    ``_repr_html_`` for Jupyter), ``to_json()``.
    """

    def __init__(self, steps: list[TraceStep], net: Network, learning_rate: float) -> None:
        self.steps = tuple(steps)
        self.network = repr(net)
        self.sizes = list(net.sizes)
        self.activations = [a.name for a in net.activations]
        self.output_activation = net.output_activation.name
        self.loss = net.loss.name
        self.reduction = net.reduction
        self.dtype = net.dtype.name
        self.learning_rate = learning_rate
        self._symbols = [layer.activation for layer in net.layers]
        self._by_name: dict[str, TraceStep] = {}
        for s in self.steps:
            for key in (s.name, *s.aliases):
                self._by_name[key] = s

    # ---- lookup --------------------------------------------------------------------------

    def step(self, name: str) -> TraceStep:
        """The TraceStep called ``name`` (its seed name or an indexed alias)."""
        try:
            return self._by_name[name]
        except KeyError:
            known = ", ".join(self.names)
            raise KeyError(f"no quantity {name!r} in this trace; it holds {known}") from None

    def __getitem__(self, name: str) -> Array:
        return self.step(name).values

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[TraceStep]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def names(self) -> list[str]:
        """Every quantity's display name, in the order the passes made them."""
        return [s.name for s in self.steps]

    @property
    def n_samples(self) -> int:
        return int(self["X"].shape[0])

    @property
    def cost(self) -> float:
        return float(self["C"])

    def gradients(self) -> list[tuple[Array, Array]]:
        """[(dW1, dB1), ...]: the same list as ``Network.gradients(X, Y)`` returns."""
        L = len(self.sizes) - 1
        return [(self[f"dW{l}"], self[f"dB{l}"]) for l in range(1, L + 1)]

    # ---- renderings ----------------------------------------------------------------------

    def header(self) -> str:
        """The network, the number of samples, η and the cost C: the lines above the table."""
        return (
            f"{self.network}\n{self.n_samples} samples, learning rate η = "
            f"{self.learning_rate:g}, cost C = {_render.number(self.cost)}"
        )

    def _rows(self, values: bool, full: bool, cell: Any) -> tuple[list[str], list[list[str]]]:
        header = ["Var", "Name", "Dimensions", "Equation"] + (["Values"] if values else [])
        rows = []
        for s in self.steps:
            row = [s.name, s.description, str(s.shape) if s.shape else "scalar", s.equation]
            rows.append(row + ([cell(s.values, full)] if values else []))
        return header, rows

    def table(self, values: bool = True, full: bool = False) -> str:
        """Var | Name | Dimensions | Equation (| Values): large matrices are summarised unless
        ``full``.
        """
        header, rows = self._rows(values, full, _render.matrix)
        return f"{self.header()}\n\n{_render.text_table(header, rows)}"

    def narrative(self, values: bool = True, full: bool = False) -> str:
        """Backpropagation in the seed's order, with the numbers plugged into each equation."""
        return _narrative(self, values, full)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        return f"<Trace of {self.network}: {len(self)} quantities, C = {self.cost:.6g}>"

    def to_markdown(self, values: bool = True, full: bool = False) -> str:
        """A markdown table, one row per quantity; values inline (summarised when large)."""
        header, rows = self._rows(values, full, lambda M, f: f"`{_render.inline(M, f)}`")
        return _render.markdown_table(header, rows)

    def to_html(self, values: bool = True, full: bool = False) -> str:
        """An HTML <table>, one row per quantity; values set in <pre>."""
        header, rows = self._rows(values, full, _render.matrix)
        return _render.html_table(header, rows, pre=4 if values else -1)

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_dict(self, values: bool = True) -> dict[str, Any]:
        """Plain data: the network, and a ``quantities`` list of name, shape, equation, values."""
        quantities = [
            {
                "name": s.name,
                "aliases": list(s.aliases),
                "description": s.description,
                "phase": s.phase,
                "layer": s.layer,
                "shape": list(s.shape),
                "equation": s.equation,
                "shapes": s.shapes,
                "values": s.values.tolist() if values else None,
            }
            for s in self.steps
        ]
        return {
            "network": self.network,
            "sizes": self.sizes,
            "activations": self.activations,
            "output_activation": self.output_activation,
            "loss": self.loss,
            "reduction": self.reduction,
            "dtype": self.dtype,
            "n_samples": self.n_samples,
            "learning_rate": self.learning_rate,
            "cost": self.cost,
            "quantities": quantities,
        }

    def to_json(self, values: bool = True, indent: int | None = None) -> str:
        """One JSON object: see ``to_dict``. Values are always given in full."""
        return json.dumps(self.to_dict(values), indent=indent, ensure_ascii=False)


# ---- recording -------------------------------------------------------------------------------


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
    names = [_layer_names(l, L) for l in range(1, L + 1)]
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
        l, f, role = layer.index, layer.activation, _role(layer.index, L)
        W, B, Z, A = (name(l, k) for k in ("W", "B", "Z", "A"))
        add("parameter", l, "W", f"{role} weights", "given", layer.W, "")
        add("parameter", l, "B", f"{role} bias", "given", layer.B, "")
        shapes = f"{layer.Z.shape} = {layer.X.shape} @ {layer.W.shape} + {layer.B.shape}"
        equation = f"{Z} = {name(l - 1, 'A')} @ {W} + {B}"
        add("forward", l, "Z", f"{role} weighted input", equation, layer.Z, shapes)
        shapes = f"{layer.A.shape} = {f.symbol}({layer.Z.shape})"
        add("forward", l, "A", f"{role} activations", _apply(f, A, Z), layer.A, shapes)
    steps.append(TraceStep("target", "Y", "Targets", "given", _copy(Yc)))
    C = net.last_cost(Yc, scale)
    equation = _cost_equation(net, out["A"][0])
    steps.append(TraceStep("cost", "C", "Cost", equation, np.asarray(C, dtype=net.dtype)))

    net.backpropagate(Yc, scale)
    for layer in reversed(net.layers):
        l, f = layer.index, layer.activation
        shapes = str(layer.E.shape)
        if l == L:
            equation = _output_error(net, name(l, "E"), out["A"][0], name(l, "Z"))
        else:
            nxt = net.layers[l]
            shapes = f"{layer.E.shape} = ({nxt.E.shape} @ {nxt.W.T.shape}) * {layer.Z.shape}"
            back = f"{name(l + 1, 'E')} @ {name(l + 1, 'W')}.T"
            equation = f"{name(l, 'E')} = " + _times_df(f, back, name(l, "Z"))
        add("backward", l, "E", f"{_where(l, L)} error", equation, layer.E, shapes)
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
        l, role = layer.index, _role(layer.index, L).lower()
        for k, P, G in (("W", layer.W, layer.dW), ("B", layer.B, layer.dB)):
            what = "weights" if k == "W" else "bias"
            equation = f"{name(l, k)} ← {name(l, k)} − η·{name(l, 'd' + k)}"
            shapes = f"{P.shape} = {P.shape} − η·{G.shape}"
            new = P - learning_rate * G
            add("update", l, f"{k}_new", f"Updated {role} {what}", equation, new, shapes)
    return Trace(steps, net, learning_rate)


def _copy(M: Any) -> Array:
    return np.array(M, copy=True)
