"""``glassnet explain``: every named matrix of one forward and backward pass, with its
equation and values, a narrative of backpropagation, and optionally a picture.

With no options it explains the seed's own network (1 → 2 → 2, ReLU, biases 0.1, the three
samples x = 1, 2, 3 with targets y = (2x, x/2 + 1/2), cost ½ Σ (O − Y)²). ``MODEL --data
rows.csv`` explains a saved model on a few rows of a CSV file; ``--html page.html`` writes the
explorer page (step, hover, train live) instead of printing.
"""

from __future__ import annotations

import argparse
import csv
import html
import sys
from pathlib import Path
from typing import Any

import numpy as np

import glassnet as gn
from glassnet._typing import Array
from glassnet.cli._common import positive_int
from glassnet.trace import Trace

FORMATS = ("text", "markdown", "html", "json")


def positive_ints(text: str) -> list[int]:
    """``"4,8,3"`` -> [4, 8, 3]; anything else is an argparse type error (one line, exit 2)."""
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        sizes = []
    if len(sizes) < 2 or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(
            f"expected at least two positive integers separated by commas, like 4,8,3; "
            f"got {text!r}"
        )
    return sizes


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "explain",
        help="show every matrix of forward and back propagation: shape, equation, values",
        description="Run one forward and one backward pass and show every named matrix "
        "(X, Wh, Bh, Zh, H, Wo, Bo, Zo, O, Y, C, Eo, Eh, dWo, dWh, ... for one hidden layer; "
        "W1, Z1, A1, E1, dW1, ... for any depth) with its shape, the equation that made it "
        "and its values, then backpropagation step by step with the numbers plugged in. "
        "With no options: the seed's own 1 → 2 → 2 network and its three samples.",
    )
    p.add_argument(
        "model",
        nargs="?",
        metavar="MODEL",
        help="a saved model file to explain on the rows of --data (default: build a network "
        "from the options below)",
    )
    p.add_argument(
        "--data",
        metavar="ROWS.csv",
        help="with MODEL: a CSV file of numeric rows, the inputs then the targets (one label "
        "column for a classifier); an optional header line is skipped",
    )
    p.add_argument(
        "--rows",
        type=positive_int,
        default=5,
        metavar="N",
        help="with --data: explain the first N rows (default 5)",
    )
    p.add_argument(
        "--sizes",
        type=positive_ints,
        metavar="N,N,...",
        help="units per layer, input first (default: the seed's 1,2,2); other sizes get "
        "random data from --seed",
    )
    p.add_argument("--activation", default="relu", help="hidden activation (default relu)")
    p.add_argument(
        "--output-activation",
        help="output activation (default: relu for the seed's network, else the loss's own)",
    )
    p.add_argument("--loss", default="mse", help="mse, cross_entropy or binary_cross_entropy")
    p.add_argument(
        "--reduction",
        choices=("mean", "sum"),
        help="cost over the batch (default: sum for the seed's network, as in the tutorial; "
        "mean otherwise)",
    )
    p.add_argument(
        "--samples", type=positive_int, default=3, metavar="N", help="samples (default 3)"
    )
    p.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="seed for the weights and the random data (default: the seed example's)",
    )
    p.add_argument(
        "--learning-rate",
        type=float,
        default=0.01,
        metavar="η",
        help="η of the update W ← W − η·dW (default 0.01)",
    )
    p.add_argument("--format", choices=FORMATS, default="text", help="output format")
    p.add_argument(
        "--values",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="show the values (default) or only names, shapes and equations",
    )
    p.add_argument(
        "--full", action="store_true", help="print large matrices in full, not summarised"
    )
    p.add_argument("--plot", metavar="FILE.png", help="also draw the network to this file")
    p.add_argument(
        "--html",
        metavar="PAGE.html",
        help="write the explorer page (one offline HTML file: step through the passes, see "
        "where each number came from, train live) instead of printing the trace",
    )
    p.set_defaults(run=run)


def build(args: argparse.Namespace) -> tuple[gn.Network, Array, Array]:
    """The network and data that ``args`` describe: the seed's, or a random one."""
    seed_net = args.sizes is None or args.sizes == [1, 2, 2]
    sizes = args.sizes or [1, 2, 2]
    if seed_net and args.loss == "mse":
        default_out = "relu"  # the seed's network has ReLU on its output layer too
    else:
        default_out = None
    net = gn.Network(
        sizes,
        activation=args.activation,
        output_activation=args.output_activation or default_out,
        loss=args.loss,
        reduction=args.reduction or ("sum" if seed_net else "mean"),
        dtype="float64",
        seed=gn.datasets.SEED_INIT if args.seed is None else args.seed,
        bias_init=0.1,
    )
    n = args.samples
    if seed_net and net.loss.name == "mse":
        x = np.arange(1.0, n + 1).reshape(-1, 1)  # the seed's samples: y = (2x, x/2 + 1/2)
        return net, x, np.hstack([2 * x, x / 2 + 0.5])
    rng = np.random.default_rng(0 if args.seed is None else args.seed)
    X = rng.standard_normal((n, sizes[0]))
    return net, X, net.loss.example_targets(rng, n, sizes[-1])


def model_rows(model: str, data: str, rows: int) -> tuple[gn.Network, Array, Array]:
    """The saved model (as float64) and the first ``rows`` rows of a numeric CSV file, split
    into X (the model's inputs) and Y (its targets: o columns, or one label column)."""
    net = gn.load(model)
    if isinstance(net, gn.Model):
        return _table_rows(net, data, rows)
    table = _numeric_rows(Path(data), rows)
    i, o = net.sizes[0], net.sizes[-1]
    widths = {i + o} | ({i + 1} if net.is_classifier else set())
    if table.shape[1] not in widths:
        want = " or ".join(str(w) for w in sorted(widths))
        raise ValueError(
            f"{data} has {table.shape[1]} columns but {model} takes {i} inputs and {o} "
            f"outputs: give {want} columns (the inputs, then the targets)"
        )
    return net.astype("float64"), table[:, :i], table[:, i:]


def _table_rows(model: gn.Model, data: str, rows: int) -> tuple[gn.Network, Array, Array]:
    """A table-trained model's network and the first ``rows`` rows of ``data`` as it sees
    them: X = the model's preprocessing of the raw columns, Y = the encoded target column."""
    from glassnet.tables.reading import read_table

    table = read_table(data)
    table = table.take(np.arange(min(rows, table.n)))
    if table.n == 0:
        raise ValueError(f"{data} has no rows")
    target = model.preprocessing.target
    if target.name not in table.columns:
        raise ValueError(
            f"{data} has no column {target.name!r}: explain needs the target of each row "
            "to show the backward pass"
        )
    X = model.transform(table.columns, notes=[])
    Y = target.encode(table.columns[target.name], table.where)
    return model.network.astype("float64"), X, Y


def _numeric_rows(path: Path, rows: int) -> Array:
    """The first ``rows`` rows of a CSV file of numbers (a first line of names is skipped)."""
    with path.open(newline="", encoding="utf-8") as f:
        lines = [line for line in csv.reader(f) if line]
    if lines and not _is_number(lines[0][0]):
        lines = lines[1:]  # a header
    lines = lines[:rows]
    if not lines:
        raise ValueError(f"{path} has no rows of numbers")
    try:
        return np.array([[float(v) for v in line] for line in lines], dtype=np.float64)
    except ValueError as e:
        raise ValueError(f"{path} must hold numbers only, one sample per line: {e}") from None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def run(args: argparse.Namespace) -> int:
    if not np.isfinite(args.learning_rate):
        raise ValueError(f"--learning-rate must be a finite number, got {args.learning_rate}")
    if (args.model is None) != (args.data is None):
        raise ValueError("explain a saved model with both MODEL and --data ROWS.csv")
    if args.model is not None:
        net, X, Y = model_rows(args.model, args.data, args.rows)
    else:
        net, X, Y = build(args)
    tr = net.trace(X, Y, learning_rate=args.learning_rate)
    if args.plot:
        from glassnet import plots

        plots.save_network_diagram(net, args.plot, trace=tr)
    if args.html:
        page = Path(tr.to_html(args.html)).resolve()
        print(f"explorer page written to {args.html}: open {page.as_uri()}")
    else:
        print_trace(tr, args.format, args.values, args.full)
    if args.plot:
        print(f"diagram written to {args.plot}", file=sys.stderr)  # stdout stays parseable
    return 0


def print_trace(tr: Trace, kind: str, values: bool, full: bool) -> None:
    """The trace on stdout as text (table and narrative), markdown, a static HTML page or JSON."""
    if kind == "json":
        print(tr.to_json(values=values, indent=1))
    elif kind == "markdown":
        print(f"```\n{tr.header()}\n```\n\n{tr.to_markdown(values, full)}\n")
        print(f"```text\n{tr.narrative(values, full)}\n```")
    elif kind == "html":
        head = html.escape(tr.header()).replace("\n", "<br>\n")
        story = html.escape(tr.narrative(values, full))
        print(
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>glassnet explain'
            f"</title></head>\n<body>\n<p>{head}</p>\n{tr.to_html(values=values, full=full)}\n"
            f"<pre>{story}</pre>\n</body></html>"
        )
    else:
        print(tr.table(values, full))
        print()
        print(tr.narrative(values, full))
