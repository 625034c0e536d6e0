"""``glassnet predict MODEL DATA``: predictions for each row, as CSV."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from glassnet.cli._common import CLIError, add_debug, check_output, load_table_model, note, writing


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "predict",
        help="predict each row of a CSV or Parquet table with a saved model",
        description="Predict each row of DATA with MODEL, applying the preprocessing stored in "
        "the model. Columns are found by name, in any order; other columns (an id, the "
        "target) are ignored, with a note on standard error; a missing column is refused, "
        "naming it. A category never seen in training, or a missing cell, is noted once per "
        "column, never refused. Writes CSV: one row per input row, the prediction in a column "
        "named after the target (with --proba, one probability column per class).",
    )
    p.add_argument("model", metavar="MODEL", help="a model file written by glassnet train")
    p.add_argument("data", metavar="DATA", help="rows to predict: CSV (header row) or Parquet")
    p.add_argument(
        "-o",
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
    from glassnet.tables.reading import write_csv

    out = check_output(args.out) if args.out else None
    model = load_table_model(args.model)
    if args.proba and not model.is_classifier:
        raise CLIError(f"--proba: {args.model} is a regression model; it has no probabilities")
    notes: list[str] = []
    table, _ = read_rows(model, args.data, notes)
    O = model.outputs(table, notes)
    for text in notes:
        note(f"{args.data}: {text}")
    name = model.target
    if model.is_classifier:
        labels = model.labels
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


def read_rows(
    model: Any, path: str, notes: list[str], target: str | None = None
) -> tuple[Any, Any]:
    """The table at ``path`` with the columns the model reads, and the ``target`` column's
    values (None when not asked for). ``notes`` gets a line naming the columns the model does
    not read; a model that stores no column names takes every column but ``target``, in
    order."""
    from glassnet.tables import read_table

    table = read_table(path)
    values = None
    if target is not None:
        if target not in table.columns:
            raise CLIError(f"{path}: no column named {target!r} (the target to score against)")
        values = table.columns[target]
    pre = model.preprocessing
    if not pre.named:
        kept = [c for c in table.names if c != target]
        if len(kept) != len(pre.columns):
            raise CLIError(
                f"{path}: {len(kept)} feature columns but the model takes {len(pre.columns)} "
                "inputs (it stores no column names, so every column but the target is used)"
            )
        table.columns = {c: table.columns[c] for c in kept}
        return table, values
    extra = [c for c in table.names if c not in pre.names and c != target]
    if extra:
        notes.append(f"ignoring column(s) the model does not use: {', '.join(extra)}")
    return table, values
