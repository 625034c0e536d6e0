"""The fit loop: minibatches, shuffling, validation, early stopping, callbacks, progress.

Each step is the seed's recipe: forward, cost, backward, then gradient descent on the flat
vector, ``P ← P − learning_rate · G`` (or the chosen optimizer's rule).
"""

from __future__ import annotations

import contextlib
import math
import time
import warnings
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet._typing import Array, ArrayLike
from glassnet._validation import check_sample_weight, check_X, check_Y
from glassnet.history import DivergenceWarning, History
from glassnet.optimizers import Optimizer, get_optimizer
from glassnet.progress import reporter
from glassnet.schedules import Constant, Schedule, get_schedule
from glassnet.threads import BlasThreads

if TYPE_CHECKING:
    from glassnet.distributed import DataParallel
    from glassnet.network import Network

Callback = Callable[["Network", "History"], Any]


def _split(
    X: Array, Y: Array, w: Array | None, fraction: float, rng: np.random.Generator
) -> tuple[tuple[Array, Array, Array | None], tuple[Array, Array]]:
    if not 0 < fraction < 1:
        raise ValueError(f"validation_split must lie in (0, 1), got {fraction}")
    n = X.shape[0]
    n_val = max(1, round(n * fraction))
    if n_val >= n:
        raise ValueError(f"validation_split={fraction} leaves no training rows out of {n}")
    order = rng.permutation(n)
    val, train = order[:n_val], order[n_val:]
    return (X[train], Y[train], None if w is None else w[train]), (X[val], Y[val])


def _accuracy(O: Array, Y: Array) -> float:
    """Share of rows whose predicted class (argmax, or O ≥ 0.5 per output) matches Y."""
    if O.shape[1] > 1 and np.allclose(Y.sum(axis=1), 1):
        return float(np.mean(O.argmax(axis=1) == Y.argmax(axis=1)))
    return float(np.mean(np.all((O >= 0.5) == (Y >= 0.5), axis=1)))


def _labels(Y: Array) -> Array | None:
    """The class of each row (argmax), where Y holds one-hot (or probability) rows; None
    where accuracy compares O ≥ 0.5 with Y ≥ 0.5 instead. Decided once per fit."""
    if Y.shape[1] > 1 and np.allclose(Y.sum(axis=1), 1):
        return Y.argmax(axis=1)
    return None


def fit(
    net: Network,
    X: ArrayLike,
    Y: ArrayLike,
    *,
    epochs: int = 10,
    batch_size: int | None = 32,
    optimizer: str | Optimizer = "adam",
    learning_rate: float | None = None,
    schedule: str | Schedule | None = None,
    shuffle: bool = True,
    validation_data: tuple[ArrayLike, ArrayLike] | None = None,
    validation_split: float = 0.0,
    alpha: float = 0.0,
    early_stopping: bool = False,
    patience: int = 10,
    min_delta: float = 0.0,
    callbacks: Iterable[Callback] = (),
    sample_weight: ArrayLike | None = None,
    verbose: bool | int = False,
    seed: int | None = None,
    distributed: str | None = None,
) -> History:
    """Train ``net`` on (X, Y) by minibatch gradient descent and return its History.

    Each step: O = forward(Xb); C = cost; G = backward; P ← optimizer(P, G).

    Parameters
    ----------
    epochs, batch_size
        Passes over the data, and rows per step (``None``: the whole set in one batch).
    optimizer, learning_rate
        A name (``"sgd"``, ``"adam"``, ``"adamw"``, ``"rmsprop"``) with an optional rate, or
        an object such as ``gn.SGD(0.1, momentum=0.9)``.
    schedule
        ``"constant"``, ``"step"``, ``"cosine"``, ``"invscaling"`` or a Schedule object:
        the learning rate of each epoch.
    validation_data, validation_split
        Held-out (Xv, Yv), or the fraction of (X, Y) to hold out at random.
    alpha
        L2 penalty: C + (alpha / 2) · Σ‖Wl‖², so dWl += alpha · Wl (biases are not penalised).
    early_stopping, patience, min_delta
        Stop when the validation loss has not improved by ``min_delta`` for ``patience``
        epochs, and restore the weights of the best epoch.
    callbacks
        Functions ``callback(net, history)`` called after every epoch; one that returns
        True stops training.
    sample_weight
        One non-negative weight per row of X: the mean cost becomes Σ w_i c_i / Σ w_i.
    verbose
        Progress: a live bar in a terminal, one line per epoch when output is redirected.
    seed
        Seeds shuffling, the validation split and dropout; by default the network's own
        generator continues.
    distributed
        ``"mpi"``: data-parallel training when the script runs under ``mpiexec`` (each rank
        takes its slice of every batch; one Allreduce sums the gradients), the same model as
        one process; without mpiexec, ordinary training. See :mod:`glassnet.distributed`.

    A cost that becomes NaN or infinite stops training with a DivergenceWarning and puts
    back the weights from the start of that epoch. Ctrl-C stops training cleanly; the
    weights are kept (the best ones, with early stopping).
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"batch_size must be a positive integer or None, got {batch_size!r}")
    if alpha < 0:
        raise ValueError(f"alpha must be >= 0, got {alpha}")
    Xc = check_X(net, X)
    Yc = check_Y(net, Y, Xc.shape[0])
    w = check_sample_weight(sample_weight, Xc.shape[0], net.dtype)
    rng = np.random.default_rng(seed) if seed is not None else net.rng
    if distributed not in (None, "mpi"):
        raise ValueError(f"unknown distributed={distributed!r}: use 'mpi' or None")
    dp: DataParallel | None = None
    if distributed == "mpi":  # rank 0's weights and generator state on every rank
        from glassnet.distributed import data_parallel

        dp = data_parallel(net, rng, Xc, Yc)
    Xv: Array | None
    Yv: Array | None
    if validation_data is not None:
        Xv = check_X(net, validation_data[0], "Xv")
        Yv = check_Y(net, validation_data[1], Xv.shape[0], "Yv")
    elif validation_split:
        (Xc, Yc, w), (Xv, Yv) = _split(Xc, Yc, w, validation_split, rng)
    else:
        Xv = Yv = None
    if early_stopping and Xv is None:
        raise ValueError(
            "early_stopping needs validation data: pass validation_data=(Xv, Yv) or "
            "validation_split=0.1"
        )
    opt = get_optimizer(optimizer, learning_rate)
    sched = get_schedule(schedule, epochs)
    lr0 = opt.learning_rate
    callbacks = list(callbacks)
    if dp is not None and not dp.is_root:  # rank 0 alone prints and adds the L2 penalty
        alpha, verbose = 0.0, False
    loop = _Loop(net, opt, sched, lr0, alpha, rng, verbose, dp)
    bs = Xc.shape[0] if batch_size is None else min(batch_size, Xc.shape[0])
    stopper = _EarlyStopping(patience, min_delta) if early_stopping else None
    args = (Xc, Yc, w, Xv, Yv, epochs, bs, shuffle, stopper, callbacks)
    if dp is not None:  # one BLAS thread per rank: ranks × threads = cores
        with dp.thread_limit():
            return loop.run(*args)
    with BlasThreads(net, bs) as threads:
        loop.threads = threads
        return loop.run(*args)


class _EarlyStopping:
    """Tracks the lowest val_loss and a copy of the weights that reached it."""

    def __init__(self, patience: int, min_delta: float) -> None:
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.wait = math.inf, 0
        self.best_P: Array | None = None
        self.best_epoch: int | None = None

    def update(self, epoch: int, val_loss: float, P: Array) -> bool:
        """Record one epoch; True once val_loss has not improved for ``patience`` epochs."""
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_P, self.best_epoch, self.wait = val_loss, P.copy(), epoch, 0
            return False
        self.wait += 1
        return self.wait >= self.patience


class _Loop:
    """The state of one fit: the network, its optimizer and what early stopping tracks."""

    def __init__(
        self,
        net: Network,
        opt: Optimizer,
        sched: Schedule,
        lr0: float,
        alpha: float,
        rng: np.random.Generator,
        verbose: bool | int,
        dp: DataParallel | None = None,
    ) -> None:
        self.net, self.opt, self.sched, self.lr0 = net, opt, sched, lr0
        self.alpha, self.rng, self.dp = alpha, rng, dp
        self.threads: BlasThreads | None = None
        self.report = reporter(verbose)
        self.show_lr = not isinstance(sched, Constant)
        self.history = History()
        self.dropout_rng = rng if any(l.dropout for l in net.layers) else None
        if dp is not None and self.dropout_rng is not None:
            self.dropout_rng = dp.dropout_rng(rng)
        self.labels: Array | None = None  # class of each row of Y, where Y holds one-hot rows
        self.buffers: dict[int, tuple[Array, Array]] = {}  # batch size -> (Xb, Yb)

    def run(
        self,
        X: Array,
        Y: Array,
        w: Array | None,
        Xv: Array | None,
        Yv: Array | None,
        epochs: int,
        bs: int,
        shuffle: bool,
        stopper: _EarlyStopping | None,
        callbacks: list[Callback],
    ) -> History:
        net, h, n = self.net, self.history, X.shape[0]
        snapshot = net.P.copy()  # weights at the start of the epoch, in case the cost diverges
        self.labels = _labels(Y) if net.is_classifier else None
        t0 = time.perf_counter()
        self.report.start(epochs)
        try:
            for epoch in range(1, epochs + 1):
                start = time.perf_counter()
                self.opt.learning_rate = self.sched(epoch - 1, self.lr0)
                order = self.rng.permutation(n) if shuffle else np.arange(n)
                snapshot[...] = net.P
                values = self._epoch(X, Y, w, order, bs)
                if values is None:  # the cost diverged
                    net.P[...] = snapshot
                    break
                if Xv is not None and Yv is not None:
                    values.update(self._validate(Xv, Yv))
                if self.dp is not None:  # every rank decides on rank 0's numbers
                    values = self.dp.agree(values)
                values["learning_rate"] = self.opt.learning_rate
                h.append(values)
                shown = {k: v for k, v in values.items() if self.show_lr or k != "learning_rate"}
                self.report.epoch(epoch, epochs, shown, time.perf_counter() - start)
                h.stop_reason = self._stop_reason(epoch, values, stopper, callbacks)
                if h.stop_reason:
                    break
        except KeyboardInterrupt:
            h.stop_reason = f"interrupted (Ctrl-C) during epoch {h.epochs + 1}"
        finally:
            if stopper is not None and stopper.best_P is not None:
                net.P[...] = stopper.best_P
            self.report.stop()
            h.seconds = time.perf_counter() - t0
            h.blas_threads = self.threads.choice if self.threads else None
        if h.stop_reason:
            self.report.message(h.stop_reason)
        return h

    def _stop_reason(
        self,
        epoch: int,
        values: dict[str, float],
        stopper: _EarlyStopping | None,
        callbacks: list[Callback],
    ) -> str | None:
        """Why training stops after this epoch (early stopping, a callback), or None."""
        if stopper is not None:
            patience_ran_out = stopper.update(epoch, values["val_loss"], self.net.P)
            self.history.best_epoch = stopper.best_epoch
            if patience_ran_out:
                return (
                    f"early stopping: val_loss did not improve for {stopper.patience} epochs; "
                    f"restored the weights of epoch {stopper.best_epoch}"
                )
        stop = any(cb(self.net, self.history) is True for cb in callbacks)
        if self.dp is not None:  # rank 0's callbacks decide for all
            stop = self.dp.agree(stop)
        return f"stopped by a callback after epoch {epoch}" if stop else None

    def _epoch(
        self, X: Array, Y: Array, w: Array | None, order: np.ndarray[Any, Any], bs: int
    ) -> dict[str, float] | None:
        """One pass over the data; the epoch's mean (or summed) cost, or None if it diverged."""
        classify = self.net.is_classifier
        # a diverging cost overflows on its way to inf; it is caught below, so stay quiet
        with np.errstate(over="ignore", invalid="ignore"):
            return self._batches(X, Y, w, order, bs, classify)

    def _batches(
        self,
        X: Array,
        Y: Array,
        w: Array | None,
        order: np.ndarray[Any, Any],
        bs: int,
        classify: bool,
    ) -> dict[str, float] | None:
        net, n = self.net, X.shape[0]
        total, correct = 0.0, 0.0
        mean = net.reduction == "mean"
        trial = self.threads.trial if self.threads else contextlib.nullcontext
        for b, start in enumerate(range(0, n, bs)):
            idx = order[start : start + bs]
            nb = len(idx)  # rows in the (global) batch
            scale = net.batch_scale(nb, None if w is None else w[idx])
            if self.dp is not None:  # this rank's rows of the batch, scaled by 1/nb
                idx, scale = self.dp.share(idx, scale)
            Xb, Yb = self._batch(X, Y, idx)
            with trial():  # the first steps time one BLAS thread against all
                C = net.loss_and_gradient(Xb, Yb, scale, self.alpha, self.dropout_rng)
            hits = self._hits(idx, Yb) if classify and len(idx) else 0.0
            if self.dp is not None:  # G is complete here: one Allreduce sums it over ranks
                C, hits = self.dp.reduce(net.G, C, hits)
            if not math.isfinite(C):
                self.history.stop_reason = (
                    f"the cost became {C} in epoch {self.history.epochs + 1}, batch {b + 1}: "
                    "training stopped and the weights from the start of that epoch were "
                    "restored; try a smaller learning_rate or standardised inputs"
                )
                warnings.warn(self.history.stop_reason, DivergenceWarning, stacklevel=4)
                return None
            self.opt.step(net.P, net.G)
            total += C * nb if mean else C
            correct += hits
        values = {"loss": total / n if mean else total}
        if classify:
            values["accuracy"] = correct / n
        return values

    def _hits(self, idx: np.ndarray[Any, Any], Yb: Array) -> float:
        """How many rows of the batch the output O = A_L classifies right."""
        O = self.net.layers[-1].A
        if self.labels is not None:
            return float(np.count_nonzero(O.argmax(axis=1) == self.labels[idx]))
        return _accuracy(O, Yb) * len(idx)

    def _batch(self, X: Array, Y: Array, idx: np.ndarray[Any, Any]) -> tuple[Array, Array]:
        """Xb = X[idx], Yb = Y[idx], gathered into two buffers kept for this batch size."""
        if len(idx) not in self.buffers:
            self.buffers[len(idx)] = (
                np.empty((len(idx), X.shape[1]), X.dtype),
                np.empty((len(idx), Y.shape[1]), Y.dtype),
            )
        Xb, Yb = self.buffers[len(idx)]
        X.take(idx, axis=0, out=Xb, mode="clip")  # "clip": no bounds check, no extra copy
        Y.take(idx, axis=0, out=Yb, mode="clip")
        return Xb, Yb

    def _validate(self, Xv: Array, Yv: Array) -> dict[str, float]:
        net = self.net
        O = net.propagate(Xv)
        values = {"val_loss": net.last_cost(Yv, net.batch_scale(Xv.shape[0], None))}
        if net.is_classifier:
            values["val_accuracy"] = _accuracy(O, Yv)
        return values
