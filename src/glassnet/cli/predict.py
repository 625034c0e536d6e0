"""``glassnet predict MODEL DATA.csv``: predictions for each row, as CSV."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from glassnet.cli._common import (
    CLIError,
    add_debug,
    check_output,
    load_model,
    note,
    writing,
)


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "predict",
        help="predict each row of a CSV file with a saved model",
        description="Predict each row of DATA.csv with MODEL. The model's feature columns are "
        "found by name, in any order; other columns (an id, the target) are ignored, with a "
        "note on standard error; a missing feature column is refused. Writes CSV: one row per "
        "input row, the prediction in a column named after the target (with --proba, one "
        "probability column per class).",
    )
    p.add_argument("model", metavar="MODEL", help="a model file written by glassnet train")
    p.add_argument("data", metavar="DATA.csv", help="rows to predict, with a header row")
    p.add_argument(
        "--out",
        metavar="predictions.csv",
        help="write here (replaced only on success) instead of standard output",
    )
    p.add_argument(
        "--proba", action="store_true", help="add the class probabilities (classifiers only)"
    )
    add_debug(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from glassnet import tabular
    from glassnet._csv import write_csv

    out = check_output(args.out) if args.out else None
    net = load_model(args.model)
    if args.proba and not net.is_classifier:
        raise CLIError(f"--proba: {args.model} is a regression model; it has no probabilities")
    table = read_features(net, args.data)
    O = tabular.outputs(net, table.X)
    name = str(net.metadata.get("target") or "prediction")
    if net.is_classifier:
        labels = tabular.labels_of(net)
        header = [name] + ([f"proba_{label}" for label in labels] if args.proba else [])
        rows = [
            [str(labels[k])] + ([f"{p:.6g}" for p in probs] if args.proba else [])
            for k, probs in zip(O.argmax(axis=1), O, strict=True)
        ]
    else:
        header = [name] if O.shape[1] == 1 else [f"{name}_{j}" for j in range(O.shape[1])]
        rows = [[f"{v:.9g}" for v in row] for row in O]
    with writing("--out", args.out):
        text = write_csv(out, header, rows)
    if out is None:
        sys.stdout.write(text)
    else:
        print(f"wrote {len(rows)} predictions to {out}", file=sys.stderr)
    return 0


def read_features(net: Any, path: str, target: str | None = None) -> Any:
    """The model's feature columns from the CSV at ``path`` (by name when the model knows the
    names, else every column but ``target``, which must then be as many as the inputs)."""
    from glassnet._csv import read_csv

    names = net.metadata.get("feature_names")
    table = read_csv(path, target=target, features=names)
    if table.X.shape[1] != net.sizes[0]:
        raise CLIError(
            f"{path}: {table.X.shape[1]} feature columns but the model takes {net.sizes[0]} "
            "inputs (it stores no column names, so every column but the target is used)"
        )
    if table.extra:
        note(f"{path}: ignoring column(s) the model does not use: {', '.join(table.extra)}")
    return table
