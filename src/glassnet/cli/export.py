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
        "stored preprocessing first: for a table-trained model one input per raw column, "
        "float32 for numbers (NaN: missing), string for categories (empty: missing), through "
        "the ai.onnx.ml Imputer, Scaler and OneHotEncoder; probabilities for a classifier, "
        "values in the target's units for a regressor). Needs the onnx package: pip install -e '.[onnx]' in a glassnet clone.",
    )
    p.add_argument("model", metavar="MODEL", help="a model file written by glassnet train")
    p.add_argument(
        "-o",
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
    pre = net.metadata.get("preprocessing")
    if pre is None:
        print(f"wrote {out} (opset {args.opset}; input 'X' (n, {net.sizes[0]}) float32)")
        return 0
    kinds = [c["role"] for c in pre["columns"]]
    print(
        f"wrote {out} (opset {args.opset} + ai.onnx.ml 3; one input per column: "
        f"{kinds.count('numeric')} float32 (n, 1), {kinds.count('categorical')} string (n, 1))"
    )
    return 0
