"""The explorer page: a trace's numbers in ``<script type="application/json">``, the page's
script and style inline, one self-contained file that opens offline from ``file://``.

The page's script redoes glassnet's arithmetic in plain JavaScript (float64, ``maths.js``) for
live training, ``origin.js`` writes how each cell was computed, and ``page.js`` draws and
drives the page; what it cannot know without Python (each quantity's name, description and
equation for every hidden activation it offers, in text and MathML) is written here.
"""

from __future__ import annotations

import html
import json
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from glassnet.explorer.mathml import mathml
from glassnet.network import Network
from glassnet.trace.quantities import Trace

# What the page's script computes: other activations or losses show the trace without live
# training (the page says why).
LIVE_HIDDEN = ("relu", "sigmoid", "tanh", "identity", "leaky_relu")
LIVE_OUTPUT = (*LIVE_HIDDEN, "softmax")
LIVE_LOSSES = ("mse", "cross_entropy", "binary_cross_entropy")
CHOICES = ("relu", "sigmoid", "tanh", "identity")  # the page's hidden-activation menu
MAX_LIVE_PARAMS = 20_000  # past this the page shows the trace but does not train


def rebuild(tr: Trace, hidden: str | list[str] | None = None) -> Network:
    """A float64 Network with the trace's sizes, loss and weights (W1, B1, ...), and the
    hidden activation ``hidden`` (default: the trace's own)."""
    net = Network(
        tr.sizes,
        activation=tr.activations if hidden is None else hidden,
        output_activation=tr.output_activation,
        loss=tr.loss,
        reduction=tr.reduction,
        dtype="float64",
    )
    for layer in net.layers:
        layer.W[...] = tr[f"W{layer.index}"]
        layer.B[...] = tr[f"B{layer.index}"]
    return net


INDEXED = re.compile(r"(X|Y|C|d?[WBZAE]\d+(_new)?)")


def _key(name: str, aliases: list[str]) -> str:
    """The indexed name the page's script computes a quantity under (X, Z1, dW2, W1_new)."""
    return next((k for k in (name, *aliases) if INDEXED.fullmatch(k)), name)


def _meta(tr: Trace) -> dict[str, Any]:
    """The names, equations (text and MathML) and descriptions of a trace, without values."""
    data = tr.to_dict(values=False)
    for q in data["quantities"]:
        q["key"] = _key(q["name"], q["aliases"])
        q["mathml"] = mathml(q["equation"]) if q["equation"] != "given" else ""
        del q["values"]
    return {k: data[k] for k in ("network", "activations", "quantities")}


def live_support(tr: Trace) -> str:
    """Why the page cannot train this network live ("" when it can)."""
    if tr.loss not in LIVE_LOSSES:
        return f"the page trains mse, cross_entropy and binary_cross_entropy, not {tr.loss}"
    if tr.output_activation not in LIVE_OUTPUT:
        return f"the page does not compute the output activation {tr.output_activation}"
    bad = [a for a in tr.activations if a not in LIVE_HIDDEN]
    if bad:
        return f"the page does not compute the hidden activation {bad[0]}"
    n_params = sum(int(tr[f"W{l}"].size + tr[f"B{l}"].size) for l in range(1, len(tr.sizes)))
    if n_params > MAX_LIVE_PARAMS:
        return f"{n_params} parameters: the page trains networks of up to {MAX_LIVE_PARAMS}"
    return ""


def page_data(tr: Trace) -> dict[str, Any]:
    """Everything the page shows: the trace (the schema of ``--format json``) and, per hidden
    activation the page offers, the names and equations it would have."""
    data = tr.to_dict()
    meta = _meta(tr)
    for q, m in zip(data["quantities"], meta["quantities"], strict=True):
        q["key"], q["mathml"] = m["key"], m["mathml"]
    why = live_support(tr)
    variants: dict[str, Any] = {}
    current = tr.activations[0] if len(set(tr.activations)) == 1 else ""
    if not why and len(tr.sizes) > 2:
        X, Y = tr["X"].astype(np.float64), tr["Y"].astype(np.float64)
        for act in CHOICES:
            if act == current:
                continue
            variants[act] = _meta(rebuild(tr, act).trace(X, Y, tr.learning_rate))
    data["page"] = {
        "live": why,
        "hidden": current,
        "choices": list(CHOICES) if variants else [],
        "variants": variants,
        "max_shown": 10,
    }
    return data


def page_html(tr: Trace, title: str | None = None) -> str:
    """The whole explorer page for ``tr`` as one string."""
    here = resources.files("glassnet.explorer")
    # one function around both files: they share its scope, and nothing leaks into the page's
    script = "".join(
        ['(function () {\n"use strict";\n']
        + [
            here.joinpath(f).read_text(encoding="utf-8")
            for f in ("maths.js", "origin.js", "page.js")
        ]
        + ["})();\n"]
    )
    style = here.joinpath("explorer.css").read_text(encoding="utf-8")
    body = here.joinpath("explorer.html").read_text(encoding="utf-8")
    # "</" would end the <script> element early; "<\/" is the same string to JSON
    numbers = json.dumps(page_data(tr), ensure_ascii=False).replace("</", "<\\/")
    title = title or f"glassnet explorer: {tr.sizes}"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{style}</style>\n</head>\n<body>\n"
        f"{body}"
        f'<script type="application/json" id="glassnet-data">{numbers}</script>\n'
        f"<script>\n{script}</script>\n</body>\n</html>\n"
    )


def write_page(tr: Trace, path: str | os.PathLike[str], title: str | None = None) -> Path:
    """Write the explorer page for ``tr`` to ``path`` (UTF-8) and return the path."""
    out = Path(path)
    out.write_text(page_html(tr, title), encoding="utf-8")
    return out


class Explorer:
    """The explorer page in an ``<iframe srcdoc>``: a notebook cell shows it live, and it
    survives the notebook's export to HTML (nothing outside the cell is needed)."""

    def __init__(self, tr: Trace, height: int = 900) -> None:
        self.trace, self.height = tr, int(height)

    def _repr_html_(self) -> str:
        page = html.escape(page_html(self.trace), quote=True)
        return (
            f'<iframe srcdoc="{page}" style="width: 100%; height: {self.height}px; '
            'border: 1px solid #ccc" title="glassnet explorer"></iframe>'
        )

    def __repr__(self) -> str:
        return f"<Explorer of {self.trace.network}>"


def network_table(net: Network) -> str:
    """An HTML table of a network's layers: W and B shapes, activation; then the loss."""
    rows = []
    for layer in net.layers:
        f = layer.activation
        rows.append(
            f"<tr><td>{layer.name}</td><td>W{layer.index} {layer.W.shape}</td>"
            f"<td>B{layer.index} {layer.B.shape}</td><td>{html.escape(f.name)}</td>"
            f"<td>Z{layer.index} = A{layer.index - 1} @ W{layer.index} + B{layer.index}</td></tr>"
        )
    head = (
        "<tr><th>layer</th><th>weights</th><th>bias</th><th>activation</th><th>equation</th></tr>"
    )
    return (
        f'<table class="glassnet-network"><caption>{html.escape(repr(net))}</caption>'
        f"<thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"
    )
