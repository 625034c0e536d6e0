"""``glassnet evaluate MODEL DATA.csv --target COL``: score a saved model on labelled rows."""

from __future__ import annotations

import argparse
from typing import Any

from glassnet.cli._common import CLIError, add_debug, load_model


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "evaluate",
        help="score a saved model on a labelled CSV file",
        description="Score MODEL on DATA.csv: accuracy, per-class precision, recall and F1 and "
        "the confusion matrix for a classifier; R², MAE and RMSE for a regressor.",
    )
    p.add_argument("model", metavar="MODEL", help="a model file written by glassnet train")
    p.add_argument("data", metavar="DATA.csv", help="labelled rows, with a header row")
    p.add_argument(
        "--target",
        metavar="COL",
        help="the column holding the true values (default: the model's target)",
    )
    add_debug(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from glassnet import tabular
    from glassnet.cli.predict import read_features
    from glassnet.cli.report import print_scores

    net = load_model(args.model)
    target = args.target or net.metadata.get("target")
    if not target:
        raise CLIError(f"--target: {args.model} does not name its target column; give --target")
    table = read_features(net, args.data, target=target)
    Y: Any
    if net.is_classifier:
        Y = tabular.label_indices(net, table.y, table.lines, f"{args.data}, column {target!r}")
    else:
        Y = tabular.target_values(table).reshape(-1, 1)
    scores = tabular.score(net, table.X, Y)
    print_scores(f"{args.data} ({len(Y)} rows)", scores, tabular.labels_of(net))
    return 0
