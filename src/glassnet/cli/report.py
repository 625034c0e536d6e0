"""Printing scores as small plain-text tables (no maths: the numbers come from metrics.py)."""

from __future__ import annotations

from typing import Any

from glassnet.metrics import ClassificationReport, RegressionReport


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
