"""Scores for predictions: accuracy, per-class precision/recall/F1, confusion matrix; R², MAE,
RMSE. Labels are integer class indices 0..k-1; values are float arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from glassnet._typing import Array

Ints = np.ndarray[Any, np.dtype[np.integer[Any]]]


def confusion_matrix(y_true: Ints, y_pred: Ints, k: int) -> Ints:
    """M[i, j] = number of samples of true class i predicted as class j.

    >>> confusion_matrix(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]), 2).tolist()
    [[1, 1], [0, 2]]
    """
    M = np.zeros((k, k), dtype=np.int64)
    np.add.at(M, (y_true, y_pred), 1)
    return M


@dataclass(frozen=True)
class ClassificationReport:
    """accuracy; per class: precision = TP / (TP + FP), recall = TP / (TP + FN),
    F1 = 2·P·R / (P + R) (0 where undefined), support = true samples; confusion matrix."""

    accuracy: float
    precision: list[float]
    recall: list[float]
    f1: list[float]
    support: list[int]
    confusion: Ints


def classification_report(y_true: Ints, y_pred: Ints, k: int) -> ClassificationReport:
    """Scores of predicted class indices against true ones, for k classes.

    >>> r = classification_report(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]), 2)
    >>> r.accuracy, r.precision, r.recall
    (0.75, [1.0, 0.6666666666666666], [0.5, 1.0])
    """
    M = confusion_matrix(y_true, y_pred, k)
    tp = np.diag(M).astype(float)
    predicted, actual = M.sum(axis=0), M.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros(k), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros(k), where=actual > 0)
    both = precision + recall
    f1 = np.divide(2 * precision * recall, both, out=np.zeros(k), where=both > 0)
    return ClassificationReport(
        accuracy=float(tp.sum() / max(M.sum(), 1)),
        precision=precision.tolist(),
        recall=recall.tolist(),
        f1=f1.tolist(),
        support=actual.tolist(),
        confusion=M,
    )


@dataclass(frozen=True)
class RegressionReport:
    """R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)²; MAE = mean |y − ŷ|; RMSE = √(mean (y − ŷ)²)."""

    r2: float
    mae: float
    rmse: float


def regression_report(y_true: Array, y_pred: Array) -> RegressionReport:
    """Scores of predicted values against true ones (averaged over output columns).

    >>> regression_report(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0]))
    RegressionReport(r2=0.5, mae=0.3333333333333333, rmse=0.5773502691896257)
    """
    y, p = np.asarray(y_true, float), np.asarray(y_pred, float)
    D = y - p
    total = ((y - y.mean(axis=0)) ** 2).sum(axis=0)
    residual = (D**2).sum(axis=0)
    r2 = np.where(total > 0, 1 - residual / np.where(total > 0, total, 1), 0.0)
    return RegressionReport(
        r2=float(np.mean(r2)),
        mae=float(np.mean(np.abs(D))),
        rmse=float(np.sqrt(np.mean(D**2))),
    )
