"""Networks for tables with named columns: what ``glassnet train / predict / evaluate`` do.

``train`` standardises the features (X' = (X − mean) / scale, the scaling kept in
``net.metadata``), encodes text or integer labels as classes 0..k−1 (the labels kept in order),
standardises a regression target the same way, holds out a (stratified) validation split,
fits, and scores. ``predict`` applies the stored scaling and returns labels, probabilities or
values in the units of the original target.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from glassnet._csv import Table
from glassnet._typing import Array
from glassnet.history import History
from glassnet.metrics import (
    ClassificationReport,
    RegressionReport,
    classification_report,
    regression_report,
)
from glassnet.network import Network

Index = np.ndarray[Any, np.dtype[np.intp]]  # row numbers

MAX_INTEGER_CLASSES = 20  # an integer target with at most this many values is read as classes


def infer_task(y: Sequence[str]) -> tuple[str, str]:
    """("classification" or "regression", the reason): text labels or a few integer values
    mean classes; other numbers mean regression.

    >>> infer_task(["cat", "dog"])[0], infer_task(["1", "2", "1"])[0], infer_task(["0.5", "2"])[0]
    ('classification', 'classification', 'regression')
    """
    values = _floats(y)
    if values is None:
        return "classification", "the target holds text labels"
    distinct = np.unique(values)
    if np.all(distinct == np.round(distinct)) and len(distinct) <= MAX_INTEGER_CLASSES:
        return "classification", f"the target holds {len(distinct)} distinct integer values"
    return "regression", f"the target holds numbers ({len(distinct)} distinct values)"


def _floats(y: Sequence[str]) -> Array | None:
    try:
        values = np.array([float(v) for v in y])
    except ValueError:
        return None
    return values if np.isfinite(values).all() else None


def class_labels(y: Sequence[str]) -> list[str]:
    """The distinct labels, in numeric order when they are all numbers, else text order."""
    distinct = set(y)
    if _floats(list(distinct)) is not None:
        return sorted(distinct, key=float)
    return sorted(distinct)


def standardize(M: Array) -> dict[str, list[float]]:
    """mean and scale per column, so that (M − mean) / scale has mean 0 and std 1
    (scale 1 for a constant column)."""
    mean = M.mean(axis=0)
    scale = M.std(axis=0)
    scale[~(scale > 0)] = 1.0
    return {"mean": mean.tolist(), "scale": scale.tolist()}


def scale_inputs(net: Network, X: Array) -> Array:
    """X' = (X − mean) / scale with the network's stored feature scaling (X if none)."""
    s = net.metadata.get("feature_scaling")
    if not s:
        return X
    return (X - np.asarray(s["mean"])) / np.asarray(s["scale"])


@dataclass
class Fitted:
    """What ``train`` returns: the network (with metadata), its History, and the scores on
    the training rows and the validation rows (None without a validation split)."""

    net: Network
    history: History
    task: str
    train_scores: ClassificationReport | RegressionReport
    val_scores: ClassificationReport | RegressionReport | None
    n_train: int
    n_val: int


def train(
    table: Table,
    *,
    task: str | None = None,
    hidden: Sequence[int] = (64, 32),
    activation: str = "relu",
    epochs: int = 100,
    batch_size: int = 32,
    optimizer: str = "adam",
    learning_rate: float = 1e-3,
    validation_split: float | None = 0.2,
    seed: int = 0,
    patience: int = 10,
    verbose: bool | int = False,
    callbacks: Iterable[Callable[[Network, History], Any]] = (),
    distributed: str | None = None,
    fit_options: Mapping[str, Any] | None = None,
) -> Fitted:
    """Train a network on ``table`` (features X, target y as text) and return it scored.

    The task is inferred from the target when not given (see :func:`infer_task`). With a
    validation split and ``patience`` > 0, training stops once the validation loss has not
    improved for ``patience`` epochs, and the best epoch's weights are kept.
    """
    assert table.target is not None, "train needs a table read with a target column"
    where = f"{table.path}, column {table.target!r}"
    if task is None:
        task, _ = infer_task(table.y)
    if task not in ("classification", "regression"):
        raise ValueError(f"unknown task {task!r}: use classification or regression")
    rng = np.random.default_rng(seed)
    X = table.X
    metadata: dict[str, Any] = {
        "task": task,
        "target": table.target,
        "feature_names": list(table.features),
        "feature_scaling": standardize(X),
    }
    if task == "classification":
        labels = class_labels(table.y)
        if len(labels) < 2:
            raise ValueError(
                f"{where}: only one class ({labels[0][:40]!r}) in {len(table.y)} rows: "
                "classification needs at least two"
            )
        index = {label: k for k, label in enumerate(labels)}
        Y: Array = np.array([index[v] for v in table.y])
        metadata["class_labels"] = labels
        sizes, loss = [X.shape[1], *hidden, len(labels)], "cross_entropy"
    else:
        Y = target_values(table).reshape(-1, 1)
        metadata["target_scaling"] = standardize(Y)
        sizes, loss = [X.shape[1], *hidden, 1], "mse"
    train_idx, val_idx = _split(
        len(Y), validation_split, Y if task == "classification" else None, rng
    )
    net = Network(sizes, activation=activation, loss=loss, seed=seed)
    net.metadata = metadata
    Xs = scale_inputs(net, X)
    Ys = Y if task == "classification" else _scale_target(net, Y)
    start = time.perf_counter()
    history = net.fit(
        Xs[train_idx],
        Ys[train_idx],
        epochs=epochs,
        batch_size=batch_size,
        optimizer=optimizer,
        learning_rate=learning_rate,
        validation_data=(Xs[val_idx], Ys[val_idx]) if len(val_idx) else None,
        early_stopping=bool(len(val_idx)) and patience > 0,
        patience=max(patience, 1),
        verbose=verbose,
        seed=seed,
        callbacks=callbacks,
        distributed=distributed,
        **dict(fit_options or {}),  # checkpoint, checkpoint_every, resume (cli train)
    )
    seconds = time.perf_counter() - start
    train_scores = score(net, X[train_idx], Y[train_idx])
    val_scores = score(net, X[val_idx], Y[val_idx]) if len(val_idx) else None
    metadata["training"] = {
        "data": table.path,
        "rows": len(train_idx),
        "validation_rows": len(val_idx),
        "epochs": history.epochs,
        "batch_size": batch_size,
        "optimizer": optimizer,
        "learning_rate": learning_rate,
        "seed": seed,
        "patience": patience if len(val_idx) else None,
        "best_epoch": history.best_epoch,
        "seconds": round(seconds, 3),
        "final": {k: v[-1] for k, v in history.history.items() if v and math.isfinite(v[-1])},
        "stop_reason": history.stop_reason,
    }
    return Fitted(net, history, task, train_scores, val_scores, len(train_idx), len(val_idx))


def target_values(table: Table) -> Array:
    values = []
    for v, line in zip(table.y, table.lines, strict=True):
        try:
            x = float(v)
        except ValueError:
            x = math.nan
        if not math.isfinite(x):
            raise ValueError(
                f"{table.path}, line {line}, column {table.target!r}: {v[:40]!r} is not a finite "
                "number, but a regression target must be (use --task classification for labels)"
            )
        values.append(x)
    return np.array(values)


def _scale_target(net: Network, Y: Array) -> Array:
    s = net.metadata["target_scaling"]
    return (Y - np.asarray(s["mean"])) / np.asarray(s["scale"])


def _split(
    n: int, fraction: float | None, labels: Array | None, rng: np.random.Generator
) -> tuple[Index, Index]:
    """Row indices (train, validation); per class for classification, so every class is
    represented in both parts where it has at least two rows."""
    if not fraction:
        return np.arange(n), np.arange(0)
    if not 0 < fraction < 1:
        raise ValueError(f"the validation split must lie in (0, 1), got {fraction}")
    if labels is None:
        order = rng.permutation(n)
        n_val = max(1, round(n * fraction))
        val = order[:n_val]
    else:
        parts = []
        for k in np.unique(labels):
            rows = rng.permutation(np.flatnonzero(labels == k))
            parts.append(rows[: round(len(rows) * fraction)])
        val = np.concatenate(parts)
        if len(val) == 0:
            val = rng.permutation(n)[:1]
    if len(val) >= n:
        raise ValueError(
            f"only {n} rows: a validation split of {fraction} leaves none to train on"
        )
    train = np.setdiff1d(np.arange(n), val)
    return train, np.sort(val)


def outputs(net: Network, X: Array) -> Array:
    """What the network says for raw rows X, in the target's own terms: class probabilities
    (n, k) for a classifier, values (n, o) in the target's units for a regressor."""
    O = net.forward(scale_inputs(net, X))
    if net.is_classifier:
        return net.loss.probabilities(O)  # one sigmoid unit: P(first label), P(second label)
    s = net.metadata.get("target_scaling")
    if s:
        return O * np.asarray(s["scale"]) + np.asarray(s["mean"])
    return O


def predict_indices(net: Network, X: Array) -> Index:
    """Class indices 0..k−1 (argmax of the probabilities) for raw rows X."""
    return np.argmax(outputs(net, X), axis=1)


def labels_of(net: Network) -> list[Any]:
    """The class labels stored in the model, or 0..k−1 when it has none."""
    labels = net.metadata.get("class_labels")
    if labels:
        return list(labels)
    return list(range(net.loss.n_classes(net.sizes[-1])))


def label_indices(net: Network, y: Sequence[str], lines: Sequence[int], where: str) -> Index:
    """The class index of each text label in y, matched against the stored labels."""
    labels = labels_of(net)
    index = {str(label): k for k, label in enumerate(labels)}
    numeric = {
        float(label): k for k, label in enumerate(labels) if _floats([str(label)]) is not None
    }
    out = []
    for v, line in zip(y, lines, strict=True):
        k = index.get(v)
        if k is None and numeric and _floats([v]) is not None:
            k = numeric.get(float(v))
        if k is None:
            raise ValueError(
                f"{where}, line {line}: label {v[:40]!r} is not one the model knows "
                f"({', '.join(map(str, labels))})"
            )
        out.append(k)
    return np.array(out, dtype=np.intp)


def score(net: Network, X: Array, Y: Array | Index) -> ClassificationReport | RegressionReport:
    """Classification scores of class indices Y, or regression scores of values Y (raw X)."""
    if net.is_classifier:
        k = len(labels_of(net))
        return classification_report(Y.astype(np.intp).ravel(), predict_indices(net, X), k)
    return regression_report(np.asarray(Y, dtype=float), outputs(net, X))
