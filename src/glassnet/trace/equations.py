"""Equation strings for the trace: each quantity's name and the equation that made it, as text.

Names follow the seed for a network with one hidden layer (``Wh``, ``H``, ``Eo``) and are
indexed otherwise (``W1``, ``A2``); the output layer also answers to ``Wo``, ``Zo``, ``O``.
The equations are written in the seed's notation (``Eh = (Eo @ Wo.T) * R'(Zh)``) from the
network's activations, loss and reduction. Used by ``record.py`` and ``narrative.py``; no
numbers here, only text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from glassnet.activations import Activation, Identity, Softmax

if TYPE_CHECKING:
    from glassnet.network import Network


def layer_names(l: int, L: int) -> dict[str, tuple[str, tuple[str, ...]]]:
    """kind -> (display name, aliases): seed names for one hidden layer, indexed otherwise."""
    kinds = ("W", "B", "Z", "A", "E", "dW", "dB", "W_new", "B_new")
    indexed = [f"{k[:-4]}{l}_new" if k.endswith("_new") else f"{k}{l}" for k in kinds]
    if l == L:
        tag, A = "o", "O"
    elif L == 2:
        tag, A = "h", "H"
    else:
        return {k: (i, ()) for k, i in zip(kinds, indexed, strict=True)}
    seed = [f"{k[:-4]}{tag}_new" if k.endswith("_new") else f"{k}{tag}" for k in kinds]
    seed[kinds.index("A")] = A
    if L == 2:
        return {k: (s, (i,)) for k, s, i in zip(kinds, seed, indexed, strict=True)}
    return {k: (i, (s,)) for k, s, i in zip(kinds, seed, indexed, strict=True)}


def layer_role(l: int, L: int) -> str:
    """Layer ``l``'s role in a description: "Output", "Hidden" or "Hidden layer 2"."""
    if l == L:
        return "Output"
    return "Hidden" if L == 2 else f"Hidden layer {l}"


def error_where(l: int, L: int) -> str:
    """Where an error lives: "Output layer", "Hidden layer" or "Hidden layer 2"."""
    role = layer_role(l, L)
    return role if "layer" in role else f"{role} layer"


def apply(f: Activation, A: str, Z: str) -> str:
    """``H = R(Zh)``; the identity writes ``O = Zo``."""
    return f"{A} = {Z}" if isinstance(f, Identity) else f"{A} = {f.symbol}({Z})"


def times_df(f: Activation, dA: str, Z: str) -> str:
    """``(dA) * R'(Z)``; the identity's f' is 1; softmax's is a Jacobian applied per row."""
    if isinstance(f, Identity):
        return dA
    if isinstance(f, Softmax):
        return f"{f.symbol}'({Z})·{paren(dA)}  (softmax Jacobian, row by row)"
    return f"{paren(dA)} * {f.symbol}'({Z})"


def paren(term: str) -> str:
    """``(term)`` unless it is one symbol or already one parenthesised group."""
    if " " not in term:
        return term
    depth = 0
    for k, c in enumerate(term):
        depth += (c == "(") - (c == ")")
        if depth == 0 and (k < len(term) - 1 or c != ")"):
            return f"({term})"
    return term


def cost_equation(net: Network, O: str) -> str:
    """``C = (1/n) Σ ...``: the loss's equation, with 1/n for a mean and O by its display name."""
    equation = net.loss.equation or f"C = {net.loss.name}(O, Y)"
    if net.reduction == "mean":
        equation = equation.replace("Σ", "(1/n) Σ", 1)
    return rename_O(equation, O)


def output_error(net: Network, E: str, O: str, Z: str) -> str:
    """``Eo = (O − Y) * R'(Zo)``; fused ``Eo = (O − Y)`` for softmax + cross-entropy and
    sigmoid + binary cross-entropy; a mean divides by n.
    """
    f, loss = net.output_activation, net.loss
    per_n = " / n" if net.reduction == "mean" else ""
    if loss.is_fused(f):
        return rename_O(f"{E} = (O − Y){per_n}", O)
    c_prime = loss.c_prime
    if isinstance(f, Identity):
        return rename_O(f"{E} = {paren(c_prime)}{per_n}", O)
    return rename_O(f"{E} = " + times_df(f, c_prime, Z) + per_n, O)


def rename_O(equation: str, O: str) -> str:
    """Write the output activations by their display name (O, or A3 in a deeper network)."""
    return re.sub(r"(?<![\w'])O(?![\w'])", O, equation)
