"""What ``glassnet train`` does with a table: :func:`prepare` (read, leave out rows without a
target, infer the task and the column roles on the training rows, split, encode) and
:func:`train` (fit a network on the prepared rows and score it). The preprocessing is fitted on
the training rows only, so the validation scores see it as new data would.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassnet._typing import Array
from glassnet.history import History
from glassnet.metrics import (
    ClassificationReport,
    RegressionReport,
    classification_report,
    regression_report,
)
from glassnet.network import Network
from glassnet.tables.model import Model
from glassnet.tables.reading import Table, read_table, short
from glassnet.tables.roles import Role, infer_roles
from glassnet.tables.target import Index, Target, infer_task, missing_target
from glassnet.tables.transform import Preprocessing

Scores = ClassificationReport | RegressionReport


@dataclass
class Prepared:
    """Training and validation rows encoded for the network (X float32, Y indices or
    standardised values), the fitted preprocessing, and what was decided on the way."""

    path: str
    preprocessing: Preprocessing
    roles: list[Role]
    task_reason: str
    X_train: Array
    Y_train: Array
    X_val: Array
    Y_val: Array
    notes: list[str] = field(default_factory=list)

    @property
    def task(self) -> str:
        return self.preprocessing.target.task

    @property
    def n_rows(self) -> int:
        return len(self.X_train) + len(self.X_val)


def prepare(
    data: str | os.PathLike[str] | Table,
    target: str,
    *,
    task: str | None = None,
    ignore: Sequence[str] = (),
    categorical: Sequence[str] = (),
    numeric: Sequence[str] = (),
    validation_split: float | None = 0.2,
    seed: int = 0,
) -> Prepared:
    """Read ``data`` (a CSV or Parquet path, or a Table) and make it ready to train on.

    The same arguments give the same rows, split and encoding (the split is seeded), so that
    a resumed run can call this again.
    """
    table = data if isinstance(data, Table) else read_table(data)
    notes: list[str] = []
    if target not in table.columns:
        infer_roles(table, target)  # raises: no column named target
    gone = missing_target(table.columns[target])
    if gone.all():
        raise ValueError(
            f"{table.path}, column {short(target)}: the target is missing on every one of "
            f"the {table.n} rows"
        )
    if gone.any():
        notes.append(f"left out {int(gone.sum())} rows whose target {target!r} is missing")
        table = table.take(~gone)
    reason = "set by --task"
    if task is None:
        task, reason = infer_task(table.columns[target])
        reason += "; set --task to choose"
    if task not in ("classification", "regression"):
        raise ValueError(f"unknown task {task!r}: use classification or regression")

    def where(i: int) -> str:
        return table.where(i, target)

    tgt, Y = Target.fit_encode(target, task, table.columns[target], where, table.path)
    rng = np.random.default_rng(seed)
    train_idx, val_idx = split(table.n, validation_split, Y if tgt.is_classifier else None, rng)
    columns, roles = infer_roles(
        table, target, ignore=ignore, categorical=categorical, numeric=numeric, rows=train_idx
    )
    left_out = [{"name": r.name, "reason": r.note} for r in roles if r.becomes == "left out"]
    pre = Preprocessing(columns, tgt, left_out)
    order = np.concatenate([train_idx, val_idx])
    X = pre.transform(table, notes, rows=order)
    Y = Y[order]
    n = len(train_idx)
    return Prepared(table.path, pre, roles, reason, X[:n], Y[:n], X[n:], Y[n:], notes)


@dataclass
class Fitted:
    """What ``train`` returns: the Model, its History, and the scores on the training rows
    and the validation rows (None without a validation split)."""

    model: Model
    history: History
    train_scores: Scores
    val_scores: Scores | None


def train(
    prepared: Prepared,
    *,
    hidden: Sequence[int] = (64, 32),
    activation: str = "relu",
    epochs: int = 100,
    batch_size: int = 32,
    optimizer: str = "adam",
    learning_rate: float = 1e-3,
    seed: int = 0,
    patience: int = 10,
    verbose: bool | int = False,
    callbacks: Iterable[Callable[[Network, History], Any]] = (),
    distributed: str | None = None,
    fit_options: Mapping[str, Any] | None = None,
) -> Fitted:
    """Fit a network on the prepared rows and score it. With validation rows and
    ``patience`` > 0, training stops once the validation loss has not improved for
    ``patience`` epochs, and the best epoch's weights are kept. ``fit_options`` go to
    ``Network.fit`` as they are (``checkpoint``, ``checkpoint_every``, ``resume``)."""
    p = prepared
    tgt = p.preprocessing.target
    n_out = len(tgt.labels) if tgt.is_classifier else 1
    loss = "cross_entropy" if tgt.is_classifier else "mse"
    net = Network(
        [p.preprocessing.n_inputs, *hidden, n_out], activation=activation, loss=loss, seed=seed
    )
    has_val = len(p.X_val) > 0
    start = time.perf_counter()
    history = net.fit(
        p.X_train,
        p.Y_train,
        epochs=epochs,
        batch_size=batch_size,
        optimizer=optimizer,
        learning_rate=learning_rate,
        validation_data=(p.X_val, p.Y_val) if has_val else None,
        early_stopping=has_val and patience > 0,
        patience=max(patience, 1),
        verbose=verbose,
        seed=seed,
        callbacks=callbacks,
        distributed=distributed,
        **dict(fit_options or {}),
    )
    seconds = time.perf_counter() - start
    meta: dict[str, Any] = {"task": tgt.task, "target": tgt.name}
    if tgt.is_classifier:
        meta["class_labels"] = list(tgt.labels)
    meta["preprocessing"] = p.preprocessing.to_json()
    meta["training"] = {
        "data": p.path,
        "rows": len(p.X_train),
        "validation_rows": len(p.X_val),
        "epochs": history.epochs,
        "batch_size": batch_size,
        "optimizer": optimizer,
        "learning_rate": learning_rate,
        "seed": seed,
        "patience": patience if has_val else None,
        "best_epoch": history.best_epoch,
        "seconds": round(seconds, 3),
        "final": {k: v[-1] for k, v in history.history.items() if v and math.isfinite(v[-1])},
        "stop_reason": history.stop_reason,
    }
    net.metadata = meta
    model = Model(net, p.preprocessing)
    train_scores = score(model, p.X_train, p.Y_train)
    val_scores = score(model, p.X_val, p.Y_val) if has_val else None
    return Fitted(model, history, train_scores, val_scores)


def score(model: Model, X: Array, Y: Array) -> Scores:
    """Scores of encoded rows X against encoded targets Y (class indices, or standardised
    values: compared in the target's own units)."""
    O = model.outputs_of(X)
    if model.is_classifier:
        return classification_report(Y.astype(np.intp).ravel(), np.argmax(O, axis=1), O.shape[1])
    return regression_report(model.preprocessing.target.decode(np.asarray(Y, float)), O)


def split(
    n: int, fraction: float | None, labels: Array | None, rng: np.random.Generator
) -> tuple[Index, Index]:
    """Row indices (train, validation); per class for classification, so every class is
    represented in both parts where it has at least two rows."""
    if not fraction:
        return np.arange(n), np.arange(0)
    if not 0 < fraction < 1:
        raise ValueError(f"the validation split must lie in (0, 1), got {fraction}")
    if labels is None:
        val = rng.permutation(n)[: max(1, round(n * fraction))]
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
    keep = np.ones(n, dtype=bool)
    keep[val] = False
    return np.flatnonzero(keep), np.sort(val)
