"""The narrative rendering of a trace: backpropagation in the seed's order, numbers plugged in.

``Trace.narrative()`` calls ``narrative_text``: the forward pass and cost in one line each, then
the output layer error, the hidden layer errors, the derivatives of the cost and the
gradient-descent update, each equation followed by its numbers side by side when the
matrices are small (or only the result, summarised, when they are not).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from glassnet._typing import Array
from glassnet.activations import Identity, Softmax
from glassnet.losses import get_loss
from glassnet.trace import render

if TYPE_CHECKING:
    from glassnet.trace.quantities import Trace

MAX_WIDTH = 100  # a narrative line with the numbers plugged in stays this narrow


def narrative_text(tr: Trace, values: bool, full: bool) -> str:
    """The text of ``Trace.narrative()``: each equation in the seed's order, then its numbers."""
    L = len(tr.sizes) - 1
    acts = tr.symbols
    lines: list[str] = []

    def nm(kind: str, l: int) -> str:
        return "X" if kind == "A" and l == 0 else tr.step(f"{kind}{l}").name

    def plug(label: str, *pieces: str | Array) -> None:
        """``   label = [[1 2]  @  [[3]  =  ...``: the numbers in the equation side by side when
        every matrix is small; else only the result after a final "=" (summarised if large).
        """
        if not values:
            return
        small = all(isinstance(p, str) or full or render.is_small(p) for p in pieces)
        blocks = [p if isinstance(p, str) else render.matrix(p, full) for p in pieces]
        body = render.hstack(blocks, sep="  ")
        if not small or max(map(len, body.split("\n"))) > MAX_WIDTH:
            if len(pieces) < 2 or pieces[-2] != "=":
                return
            body = render.matrix(np.asarray(pieces[-1]), full)
        first, *rest = body.split("\n")
        prefix = f"   {label} = "
        lines.append(prefix + first)
        lines.extend(" " * len(prefix) + line for line in rest)

    def equation(name: str, extra: str = "") -> str:
        """Print ``name``'s equation; return the blank label that aligns the lines after it."""
        s = tr.step(name)
        lines.append(f"   {s.equation}{extra}")
        return " " * len(s.equation.split(" ")[0])

    nested = "X"
    for l in range(1, L + 1):
        inner = f"{nested} @ {nm('W', l)} + {nm('B', l)}"
        nested = inner if isinstance(acts[l - 1], Identity) else f"{acts[l - 1].symbol}({inner})"
    lines += [
        f"Forward: {nm('A', L)} = {nested}",
        f"Cost:    {tr.step('C').equation} = {render.number(tr.cost)}",
        "",
        "Backpropagation, in the seed's order:",
        "",
        "1. Output layer error",
    ]
    O, Y, Z, E = tr[f"A{L}"], tr["Y"], tr[f"Z{L}"], tr[f"E{L}"]
    f = acts[-1]
    loss = get_loss(tr.loss)
    fused = loss.is_fused(f)
    per_n = [] if tr.reduction == "sum" else ["/", str(tr.n_samples)]
    # the numbers are plugged in where C'(O) is O − Y (mse) or the error is fused
    if fused or (loss.c_prime == "O − Y" and not isinstance(f, Softmax)):
        plug(f"{nm('A', L)} − Y", O, "−", Y, "=", O - Y)
        blank = equation(f"E{L}")
        if isinstance(f, Identity) or fused:
            plug(blank, O - Y, *per_n, "=", E)
        else:
            plug(blank, O - Y, "*", f.df(Z, O), *per_n, "=", E)
    else:
        plug(equation(f"E{L}"), E)
    for l in range(L - 1, 0, -1):
        f = acts[l - 1]
        if l == L - 1:
            more = ", passed back one layer at a time" if L > 2 else ""
            lines += ["", f"2. Hidden layer error{more}"]
        blank = equation(f"E{l}")
        E_next, W_next, El = tr[f"E{l + 1}"], tr[f"W{l + 1}"], tr[f"E{l}"]
        if isinstance(f, Identity):
            plug(blank, E_next, "@", W_next.T, "=", El)
        elif isinstance(f, Softmax):
            plug(blank, El)
        else:
            df = f.df(tr[f"Z{l}"], tr[f"A{l}"])
            plug(blank, "(", E_next, "@", W_next.T, ")", "*", df)
            plug(blank, E_next @ W_next.T, "*", df, "=", El)
    k = 3 if L > 1 else 2
    title = "Derivative of the cost with respect to each weight"
    lines += ["", f"{k}. {title} (current layer error · current layer input)"]
    for l in range(L, 0, -1):
        A_prev, E = tr[f"A{l - 1}"], tr[f"E{l}"]
        s = tr.step(f"dW{l}")
        plug(equation(s.name, f"    {s.shapes}"), A_prev.T, "@", E, "=", s.values)
        s = tr.step(f"dB{l}")
        plug(equation(s.name), "Σ_rows", E, "=", s.values)
    lines += [
        "",
        f"{k + 1}. The update: gradient descent, W ← W − η·dW with η = {tr.learning_rate:g}",
    ]
    eta = f"{tr.learning_rate:g} ·"
    for l in range(1, L + 1):
        for kind in ("W", "B"):
            s = tr.step(f"{kind}{l}_new")
            blank = equation(s.name)
            plug(blank, tr[f"{kind}{l}"], "−", eta, tr[f"d{kind}{l}"], "=", s.values)
    return "\n".join(lines)
