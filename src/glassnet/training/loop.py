"""The fit loop: epochs of minibatch steps, validation, early stopping, callbacks, and the
checkpoints that let a run stop at any step and go on as if it never had.

Each step is the seed's recipe: forward, cost, backward, then gradient descent on the flat
vector, ``P ← P − learning_rate · G`` (or the chosen optimizer's rule).
"""

from __future__ import annotations

import contextlib
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet._typing import Array
from glassnet.history import DivergenceWarning, History
from glassnet.optimizers import Optimizer
from glassnet.progress import reporter
from glassnet.schedules import Constant, Schedule
from glassnet.threads import BlasThreads
from glassnet.training.signals import StopSignals
from glassnet.training.stopping import EarlyStopping

if TYPE_CHECKING:
    from glassnet.distributed import DataParallel
    from glassnet.network import Network
    from glassnet.training.checkpoint import Checkpointer

Callback = Callable[["Network", "History"], Any]
Order = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True)
class FitData:
    """What one fit runs over: training rows (and weights), validation rows, the plan."""

    X: Array
    Y: Array
    w: Array | None
    Xv: Array | None
    Yv: Array | None
    epochs: int
    batch_size: int
    shuffle: bool
    callbacks: tuple[Callback, ...]


@dataclass
class Position:
    """Where a run stands: ``epoch`` epochs done; in the next one, ``batch`` batches of the
    shuffled ``order`` done, their summed cost ``total`` and ``correct`` predictions;
    ``snapshot`` holds the weights from that epoch's start (restored if the cost diverges)."""

    epoch: int = 0
    batch: int = 0
    order: Order | None = None
    total: float = 0.0
    correct: float = 0.0
    steps: int = 0
    snapshot: Array | None = None
    finished: bool = False


class _Stop(Exception):
    """A signal arrived: the checkpoint is written, the run ends after this step."""


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


class _Loop:
    """The state of one fit: the network, its optimizer, what early stopping tracks, and
    where the run stands (``position``), which is what a checkpoint keeps."""

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
        self.errors: Any = {}  # the caller's floating-point error settings (set by run)
        self.report = reporter(verbose)
        self.show_lr = not isinstance(sched, Constant)
        self.history = History()
        self.dropout_rng = rng if any(l.dropout for l in net.layers) else None
        if dp is not None and self.dropout_rng is not None:
            self.dropout_rng = dp.dropout_rng(rng)
        self.labels: Array | None = None  # class of each row of Y, where Y holds one-hot rows
        self.buffers: dict[int, tuple[Array, Array]] = {}  # batch size -> (Xb, Yb)
        self.in_order: Order | None = None  # 0, 1, ..., n − 1: the order of unshuffled epochs
        self.whole = False  # one batch of every row, in order: steps read X and Y as they are
        self.position = Position()
        self.stopper: EarlyStopping | None = None
        self.saver: Checkpointer | None = None
        self.signals = StopSignals(active=False)

    def run(self, data: FitData) -> History:
        net, h, pos, n = self.net, self.history, self.position, data.X.shape[0]
        if pos.snapshot is None:  # weights at the epoch's start, in case the cost diverges
            pos.snapshot = net.P.copy()
        self.labels = _labels(data.Y) if net.is_classifier else None
        # one batch of every row, in order (``_order``): the steps read X and Y themselves
        whole = n <= data.batch_size and self.dp is None and data.X.flags.c_contiguous
        self.whole = whole and data.Y.flags.c_contiguous
        t0 = time.perf_counter()
        self.report.start(data.epochs)
        completed = False
        try:
            # a diverging cost overflows on its way to inf; it is caught (_batches), so stay
            # quiet, once for the whole run (callbacks get the caller's settings back)
            self.errors = np.geterr()
            with self.signals, np.errstate(over="ignore", invalid="ignore"):
                completed = pos.finished or self._epochs(data, n)
        except _Stop:
            if self.dp is not None and self.saver is not None:  # rank 0 wrote it (or not)
                self.saver.written = self.dp.agree(self.saver.written)
            h.stop_reason = (
                f"interrupted ({self.signals.received}) during epoch {pos.epoch + 1}; "
                + self._saved_where()
            )
        except KeyboardInterrupt:
            h.stop_reason = f"interrupted (Ctrl-C) during epoch {h.epochs + 1}"
        finally:
            if self.stopper is not None and self.stopper.best_P is not None:
                net.P[...] = self.stopper.best_P
            self.report.stop()
            h.seconds += time.perf_counter() - t0
            h.blas_threads = self.threads.choice if self.threads else None
            h.gemm = self.threads.gemm if self.threads else "numpy"
        if completed and self.saver is not None and not pos.finished:
            pos.finished = True
            self.saver.save(self)  # the finished run: resuming it changes nothing
        if h.stop_reason:
            self.report.message(h.stop_reason)
        return h

    def _saved_where(self) -> str:
        if self.saver is None:
            return "no checkpoint (pass checkpoint= to fit to resume later)"
        if self.saver.written:
            return (
                f"checkpoint written to {self.saver.path}; resume with resume={self.saver.path!r}"
            )
        return f"the checkpoint {self.saver.path} could not be written"

    def _epochs(self, data: FitData, n: int) -> bool:
        """Epochs until the last, a stop reason or divergence; True unless it diverged."""
        net, h, pos = self.net, self.history, self.position
        assert pos.snapshot is not None
        while pos.epoch < data.epochs:
            epoch, start = pos.epoch + 1, time.perf_counter()
            self.opt.learning_rate = self.sched(epoch - 1, self.lr0)
            if pos.batch == 0:  # a new epoch: its order, and the weights to fall back to
                pos.order = self._order(data, n)
                pos.snapshot[...] = net.P
                pos.total = pos.correct = 0.0
            values = self._batches(data, pos, net.is_classifier)
            if values is None:  # the cost diverged
                net.P[...] = pos.snapshot
                return False
            if data.Xv is not None and data.Yv is not None:
                values.update(self._validate(data.Xv, data.Yv))
            if self.dp is not None:  # every rank decides on rank 0's numbers
                values = self.dp.agree(values)
            values["learning_rate"] = self.opt.learning_rate
            h.append(values)
            if self.report.shows:
                shown = {k: v for k, v in values.items() if self.show_lr or k != "learning_rate"}
                self.report.epoch(epoch, data.epochs, shown, time.perf_counter() - start)
            pos.epoch, pos.batch, pos.order = epoch, 0, None
            h.stop_reason = self._stop_reason(epoch, values, data.callbacks)
            if h.stop_reason:
                return True
            received = self.signals.received if self.dp is None else None
            if self.saver is not None and (received or self.saver.due_after_epoch(epoch)):
                self.saver.save(self)
            if received:
                raise _Stop
        return True

    def _order(self, data: FitData, n: int) -> Order:
        """An epoch's order of the rows: shuffled, unless one batch holds them all, whose
        gradient (a sum over its rows) does not depend on their order."""
        if data.shuffle and (n > data.batch_size or self.dp is not None):
            return self.rng.permutation(n)
        if self.in_order is None or len(self.in_order) != n:  # kept: arange took ~0.25 µs
            self.in_order = np.arange(n)
            self.in_order.flags.writeable = False
        return self.in_order

    def _stop_reason(
        self, epoch: int, values: dict[str, float], callbacks: tuple[Callback, ...]
    ) -> str | None:
        """Why training stops after this epoch (early stopping, a callback), or None."""
        stopper = self.stopper
        if stopper is not None:
            patience_ran_out = stopper.update(epoch, values["val_loss"], self.net.P)
            self.history.best_epoch = stopper.best_epoch
            if patience_ran_out:
                return (
                    f"early stopping: val_loss did not improve for {stopper.patience} epochs; "
                    f"restored the weights of epoch {stopper.best_epoch}"
                )
        stop = False
        if callbacks:
            with np.errstate(**self.errors):
                stop = any(cb(self.net, self.history) is True for cb in callbacks)
        if self.dp is not None:  # rank 0's callbacks decide for all
            stop = self.dp.agree(stop)
        return f"stopped by a callback after epoch {epoch}" if stop else None

    def _batches(self, data: FitData, pos: Position, classify: bool) -> dict[str, float] | None:
        """One pass over the data; the epoch's mean (or summed) cost, or None if it diverged."""
        net, n, bs, w = self.net, data.X.shape[0], data.batch_size, data.w
        assert pos.order is not None
        mean = net.reduction == "mean"
        trial = self.threads.trial if self.threads else contextlib.nullcontext
        for b in range(pos.batch, -(-n // bs)):
            idx = pos.order[b * bs : (b + 1) * bs]
            nb = len(idx)  # rows in the (global) batch
            scale = net.batch_scale(nb, None if w is None else w[idx])
            if self.dp is not None:  # this rank's rows of the batch, scaled by 1/nb
                idx, scale = self.dp.share(idx, scale)
            Xb, Yb = (data.X, data.Y) if self.whole else self._batch(data.X, data.Y, idx)
            with trial():  # the first steps time one BLAS thread against all
                C = net.loss_and_gradient(Xb, Yb, scale, self.alpha, self.dropout_rng)
            hits = self._hits(idx, Yb) if classify and len(idx) else 0.0
            stop = self.signals.received is not None
            due = self.saver is not None and self._due_in_time()
            if self.dp is not None:  # G is complete here: one Allreduce sums it over ranks
                C, hits, stop, due = self.dp.reduce(net.G, C, hits, stop, due)
            if not math.isfinite(C):
                self.history.stop_reason = (
                    f"the cost became {C} in epoch {self.history.epochs + 1}, batch {b + 1}: "
                    "training stopped and the weights from the start of that epoch were "
                    "restored; try a smaller learning_rate or standardised inputs"
                )
                warnings.warn(self.history.stop_reason, DivergenceWarning, stacklevel=5)
                return None
            self.opt.step(net.P, net.G)
            pos.total += C * nb if mean else C
            pos.correct += hits
            pos.batch, pos.steps = b + 1, pos.steps + 1
            if self.saver is not None and (stop or due or self.saver.due_after_step(pos.steps)):
                self.saver.save(self)
            if stop:
                raise _Stop
        values = {"loss": pos.total / n if mean else pos.total}
        if classify:
            values["accuracy"] = pos.correct / n
        return values

    def _due_in_time(self) -> bool:
        """A timed checkpoint is due (rank 0's clock decides for every rank)."""
        saver = self.saver
        return saver is not None and (self.dp is None or self.dp.is_root) and saver.due_in_time()

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
