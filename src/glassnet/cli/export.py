"""``glassnet export MODEL --out model.onnx``: the model as an ONNX graph."""

from __future__ import annotations

import argparse
from typing import Any

from glassnet.cli._common import add_debug, check_output, load_model, positive_int, writing


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "export",
        help="export a saved model to ONNX",
        description="Write MODEL as an ONNX graph (MatMul + Add + activation per layer, the "
        "stored feature scaling first; probabilities for a classifier, values in the target's "
        "units for a regressor). Needs the onnx package: pip install 'glassnet[onnx]'.",
    )
    p.add_argument("model", metavar="MODEL", help="a model file written by glassnet train")
    p.add_argument(
        "--out",
        required=True,
        metavar="model.onnx",
        help="the ONNX file to write (replaced only on success)",
    )
    p.add_argument(
        "--opset",
        type=positive_int,
        default=17,
        help="ONNX opset (default 17: read by onnxruntime 1.12 and later)",
    )
    add_debug(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from glassnet.export import export_onnx

    out = check_output(args.out)
    net = load_model(args.model)
    with writing("--out", out):
        export_onnx(net, out, opset=args.opset)
    print(f"wrote {out} (opset {args.opset}; input 'X' (n, {net.sizes[0]}) float32)")
    return 0
