"""``glassnet evaluate MODEL DATA --target COL``: score a saved model on labelled rows."""

from __future__ import annotations

import argparse
from typing import Any

from glassnet.cli._common import CLIError, add_debug, load_table_model, note


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "evaluate",
        help="score a saved model on a labelled CSV or Parquet table",
        description="Score MODEL on DATA: accuracy, per-class precision, recall and F1 and "
        "the confusion matrix for a classifier; R², MAE and RMSE for a regressor. Rows whose "
        "target is missing are left out, with a count.",
    )
    p.add_argument("model", metavar="MODEL", help="a model file written by glassnet train")
    p.add_argument("data", metavar="DATA", help="labelled rows: CSV (header row) or Parquet")
    p.add_argument(
        "--target",
        metavar="COL",
        help="the column holding the true values (default: the model's target)",
    )
    add_debug(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from glassnet.cli.predict import read_rows
    from glassnet.cli.report import print_scores
    from glassnet.tables.target import missing_target
    from glassnet.tables.training import score

    model = load_table_model(args.model)
    target = args.target or model.metadata.get("target")
    if not target:
        raise CLIError(f"--target: {args.model} does not name its target column; give --target")
    notes: list[str] = []
    table, values = read_rows(model, args.data, notes, target=target)
    gone = missing_target(values)
    if gone.all():
        raise CLIError(f"{args.data}, column {target!r}: the target is missing on every row")
    if gone.any():
        notes.append(f"left out {int(gone.sum())} rows whose target {target!r} is missing")
        table, values = table.take(~gone), values[~gone]
    Y = model.preprocessing.target.encode(values, lambda i: table.where(i, target))
    X = model.transform(table, notes)
    for text in notes:
        note(f"{args.data}: {text}")
    scores = score(model, X, Y)
    print_scores(f"{args.data} ({len(Y)} rows)", scores, model.labels)
    return 0
