"""Printing column roles and scores as small tables (no maths: the numbers come from
metrics.py and glassnet.tables)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from glassnet.metrics import ClassificationReport, RegressionReport


def print_roles(roles: Sequence[Any]) -> None:
    """One line per column of the file: what it holds, what it becomes, and why (a rich table
    in a terminal, plain aligned lines otherwise)."""
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(title="columns", title_justify="left")
        for heading in ("column", "holds", "becomes", "note"):
            table.add_column(heading)
        for r in roles:
            table.add_row(r.name, r.holds, r.becomes, r.note)
        Console().print(table)
        return
    w = max(6, *(len(r.name) for r in roles))
    h = max(5, *(len(r.holds) for r in roles))
    b = max(7, *(len(r.becomes) for r in roles))
    print("columns:")
    print(f"  {'column':<{w}}  {'holds':<{h}}  {'becomes':<{b}}  note")
    for r in roles:
        print(f"  {r.name:<{w}}  {r.holds:<{h}}  {r.becomes:<{b}}  {r.note}".rstrip())


def print_scores(
    title: str,
    scores: ClassificationReport | RegressionReport,
    labels: list[Any],
    brief: bool = False,
) -> None:
    """Accuracy (+ per-class table and confusion matrix), or R², MAE and RMSE."""
    if isinstance(scores, RegressionReport):
        print(f"{title}: R² {scores.r2:.4f}  MAE {scores.mae:.4g}  RMSE {scores.rmse:.4g}")
        return
    print(f"{title}: accuracy {scores.accuracy:.4f}")
    if brief:
        return
    names = [str(label) for label in labels]
    w = max(8, *(len(n) for n in names))
    print(f"  {'class':<{w}} {'precision':>9} {'recall':>9} {'f1':>9} {'support':>8}")
    for k, name in enumerate(names):
        print(
            f"  {name:<{w}} {scores.precision[k]:>9.4f} {scores.recall[k]:>9.4f} "
            f"{scores.f1[k]:>9.4f} {scores.support[k]:>8}"
        )
    print(f"  confusion matrix (rows: true class, columns: predicted), classes {', '.join(names)}")
    M = scores.confusion
    cw = max(5, len(str(M.max())) + 1, *(len(n) + 1 for n in names))
    print("  " + " " * w + "".join(f"{n:>{cw}}" for n in names))
    for k, name in enumerate(names):
        print(f"  {name:<{w}}" + "".join(f"{v:>{cw}}" for v in M[k]))
