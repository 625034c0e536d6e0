"""``glassnet gradcheck [MODEL]``: finite differences against back propagation."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from glassnet.activations import ACTIVATIONS
from glassnet.cli._common import add_debug, layer_sizes, load_model, positive_int
from glassnet.losses import LOSSES


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "gradcheck",
        help="check back propagation against finite differences",
        description="Compare every dW, dB and dX from back propagation with central finite "
        "differences of the cost, on a small random network (or on MODEL) with random data, in "
        "float64. Exit status 0 when every matrix matches, 1 otherwise.",
    )
    p.add_argument(
        "model", nargs="?", metavar="MODEL", help="a model file (default: a small random network)"
    )
    p.add_argument(
        "--sizes",
        type=layer_sizes,
        default=[3, 5, 4],
        metavar="3,5,4",
        help="layer sizes of the random network, inputs first (default 3,5,4)",
    )
    p.add_argument(
        "--activation",
        type=str.lower,
        default="tanh",
        choices=list(ACTIVATIONS),
        help="hidden activation of the random network (default tanh)",
    )
    p.add_argument(
        "--loss",
        type=str.lower,
        default="cross_entropy",
        choices=list(LOSSES),
        help="cost of the random network (default cross_entropy)",
    )
    p.add_argument("--samples", type=positive_int, default=5, help="random rows (default 5)")
    p.add_argument("--seed", type=int, default=0, help="seeds the network and data")
    add_debug(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import glassnet as gn

    if args.model:
        net = load_model(args.model)
        what = f"{args.model}: {net}"
    else:
        if len(args.sizes) < 2:
            raise ValueError(
                f"--sizes needs at least two layers (inputs, outputs), got {args.sizes}"
            )
        net = gn.Network(
            args.sizes, activation=args.activation, loss=args.loss, dtype="float64", seed=args.seed
        )
        what = repr(net)
    rng = np.random.default_rng(args.seed)
    X = rng.standard_normal((args.samples, net.sizes[0]))
    Y = net.loss.example_targets(rng, args.samples, net.sizes[-1])
    print(f"gradcheck of {what}")
    print(f"on {args.samples} random rows, {net.n_params} parameters\n")
    report = gn.gradcheck(net, X, Y)
    print(report)
    return 0 if report.ok else 1
