"""Trace and TraceStep: the named matrices of one forward and backward pass, looked up by name
and rendered as a table, a narrative, markdown, HTML or JSON (and read back from JSON).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet._typing import Array
from glassnet.activations import Activation, get_activation
from glassnet.trace import render
from glassnet.trace.narrative import narrative_text

if TYPE_CHECKING:
    from glassnet.network import Network

# what a trace records about its network, besides the quantities (see ``to_dict``)
ABOUT = (
    "network", "sizes", "activations", "output_activation", "loss", "reduction", "dtype",
    "learning_rate",
)  # fmt: skip
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
        self._setup(
            steps,
            network=repr(net),
            sizes=list(net.sizes),
            activations=[a.name for a in net.activations],
            output_activation=net.output_activation.name,
            loss=net.loss.name,
            reduction=net.reduction,
            dtype=net.dtype.name,
            learning_rate=learning_rate,
            symbols=[layer.activation for layer in net.layers],
        )

    def _setup(self, steps: list[TraceStep], **about: Any) -> None:
        self.steps = tuple(steps)
        self.network: str = about["network"]
        self.sizes: list[int] = about["sizes"]
        self.activations: list[str] = about["activations"]
        self.output_activation: str = about["output_activation"]
        self.loss: str = about["loss"]
        self.reduction: str = about["reduction"]
        self.dtype: str = about["dtype"]
        self.learning_rate = float(about["learning_rate"])
        self.symbols: list[Activation] = about["symbols"]  # each layer's activation
        self._by_name: dict[str, TraceStep] = {}
        for s in self.steps:
            for key in (s.name, *s.aliases):
                self._by_name[key] = s

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Trace:
        """The Trace that ``to_dict`` (or the explorer page's JSON download) describes."""
        try:
            steps = [
                TraceStep(
                    q["phase"],
                    q["name"],
                    q["description"],
                    q["equation"],
                    np.array(q["values"], dtype=data["dtype"]).reshape(q["shape"]),
                    tuple(q["aliases"]),
                    q["layer"],
                    q["shapes"],
                )
                for q in data["quantities"]
            ]
            names = [*data["activations"], data["output_activation"]]
            about = {k: data[k] for k in ABOUT}
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(
                f"not a glassnet trace (the JSON of `glassnet explain --format json`): {e!r}"
            ) from None
        tr = cls.__new__(cls)
        tr._setup(steps, **about, symbols=[get_activation(a) for a in names])
        return tr

    @classmethod
    def from_json(cls, text: str) -> Trace:
        """The Trace that ``to_json`` wrote (values included), e.g. the explorer's download."""
        return cls.from_dict(json.loads(text))

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
            f"{self.learning_rate:g}, cost C = {render.number(self.cost)}"
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
        header, rows = self._rows(values, full, render.matrix)
        return f"{self.header()}\n\n{render.text_table(header, rows)}"

    def narrative(self, values: bool = True, full: bool = False) -> str:
        """Backpropagation in the seed's order, with the numbers plugged into each equation."""
        return narrative_text(self, values, full)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        return f"<Trace of {self.network}: {len(self)} quantities, C = {self.cost:.6g}>"

    def to_markdown(self, values: bool = True, full: bool = False) -> str:
        """A markdown table, one row per quantity; values inline (summarised when large)."""
        header, rows = self._rows(values, full, lambda M, f: f"`{render.inline(M, f)}`")
        return render.markdown_table(header, rows)

    def to_html(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        values: bool = True,
        full: bool = False,
    ) -> str:
        """With a ``path``: write the explorer page there (one self-contained, offline HTML
        file: step, hover, train live; see :mod:`glassnet.explorer`) and return the path.
        Without: an HTML <table>, one row per quantity, values set in <pre>.
        """
        if isinstance(path, bool):
            raise TypeError("to_html(path, *, values, full): give values= and full= by keyword")
        if path is not None:
            from glassnet.explorer import write_page

            return str(write_page(self, path))
        header, rows = self._rows(values, full, render.matrix)
        return render.html_table(header, rows, pre=4 if values else -1)

    def _repr_html_(self) -> str:
        return self.to_html()

    def explore(self, height: int = 900) -> Any:
        """The explorer page inside an ``<iframe srcdoc>``, for a notebook cell."""
        from glassnet.explorer import Explorer

        return Explorer(self, height)

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
