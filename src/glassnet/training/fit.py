"""``fit``: check the data and the options, set up one run (optionally resumed from a
checkpoint, optionally data-parallel over MPI) and hand it to the loop."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet._typing import Array, ArrayLike
from glassnet._validation import check_sample_weight, check_X, check_Y
from glassnet.history import History
from glassnet.optimizers import Optimizer, get_optimizer
from glassnet.schedules import Schedule, get_schedule
from glassnet.threads import BlasThreads
from glassnet.training.checkpoint import (
    Checkpointer,
    fingerprint,
    network_description,
    parse_every,
)
from glassnet.training.loop import Callback, FitData, _Loop
from glassnet.training.signals import StopSignals
from glassnet.training.stopping import EarlyStopping

if TYPE_CHECKING:
    from glassnet.distributed import DataParallel
    from glassnet.network import Network
    from glassnet.training.resume import Checkpoint

# glassnet.training.resume (and the model-file checks it shares) is imported only by a fit
# that resumes: a first fit without checkpoints imports ~15 ms less

PathLike = str | os.PathLike[str]


Rows = np.ndarray[Any, np.dtype[np.int64]]


def split_rows(n: int, fraction: float, rng: np.random.Generator) -> tuple[Rows, Rows]:
    """(training rows, validation rows): a random ``fraction`` of range(n) held out."""
    if not 0 < fraction < 1:
        raise ValueError(f"validation_split must lie in (0, 1), got {fraction}")
    n_val = max(1, round(n * fraction))
    if n_val >= n:
        raise ValueError(f"validation_split={fraction} leaves no training rows out of {n}")
    order = rng.permutation(n)
    return order[n_val:], order[:n_val]


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
    checkpoint: PathLike | None = None,
    checkpoint_every: int | str = 1,
    resume: PathLike | None = None,
    resume_force: bool = False,
) -> History:
    """Train ``net`` on (X, Y) by minibatch gradient descent and return its History.

    Each step: O = forward(Xb); C = cost; G = backward; P ← optimizer(P, G).

    Parameters
    ----------
    epochs, batch_size, shuffle
        Passes over the data, and rows per step (``None``: the whole set in one batch);
        ``shuffle`` reorders the rows every epoch, except where one batch holds them all
        (its gradient, a sum over the rows, does not depend on their order).
    optimizer, learning_rate
        A name (``"sgd"``, ``"adam"``, ``"adamw"``, ``"rmsprop"``) with an optional rate, or
        an object such as ``gn.SGD(0.1, momentum=0.9)``. An object's state belongs to the
        network it trained: a second ``fit`` of the same network continues its moments and
        step count (the schedule starts again from the object's ``learning_rate``, which fit
        leaves as it found it); an object that trained another network starts fresh, with
        an OptimizerStateWarning.
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
    checkpoint, checkpoint_every
        A file to keep the whole run in (weights, optimizer state, generators, position in
        the epoch, History, early stopping; see :mod:`glassnet.training.checkpoint`),
        written atomically every ``checkpoint_every``: a number of epochs (default 1), or
        ``"500 steps"``, ``"600 s"``, ``"10 min"``; and once more when training ends. A
        failed write warns once (CheckpointWarning) and training goes on. While
        checkpointing, SIGTERM and SIGINT stop training at the end of the current step,
        after writing the checkpoint (``history.stop_reason`` says so).
    resume, resume_force
        A checkpoint to continue: call ``fit`` with the same network, data and arguments
        plus ``resume=``; the run ends with the same weights and History as if it had never
        stopped. A checkpoint of other data, another architecture, optimizer, schedule or
        settings is refused with one line, unless ``resume_force=True``. The checkpoint
        goes on being written to ``checkpoint`` (by default, the ``resume`` file itself).

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
    every = parse_every(checkpoint_every)
    ckpt = None
    if resume is not None:
        from glassnet.training.resume import read_checkpoint

        ckpt = read_checkpoint(resume)
    if checkpoint is None and resume is not None:
        checkpoint = resume
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
    if ckpt is not None:  # the generator as it was when the run began: the same split
        rng_before = dict(rng.bit_generator.state)
        _set_generator(rng, ckpt.state.get("rng_start"), ckpt.path)
    rng_start = dict(rng.bit_generator.state)
    # hashing the data takes ~0.3 s on 188 MB: done only for a run that keeps checkpoints
    data_print = (
        {"X": fingerprint(Xc), "Y": fingerprint(Yc), "sample_weight": fingerprint(w)}
        if checkpoint is not None
        else {}
    )
    Xv: Array | None
    Yv: Array | None
    if validation_data is not None:
        Xv = check_X(net, validation_data[0], "Xv")
        Yv = check_Y(net, validation_data[1], Xv.shape[0], "Yv")
    elif validation_split:
        train, val = split_rows(Xc.shape[0], validation_split, rng)
        (Xc, Yc, w), (Xv, Yv) = (
            (Xc[train], Yc[train], None if w is None else w[train]),
            (
                Xc[val],
                Yc[val],
            ),
        )
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
    opt.bind(net.P)
    alpha_given = float(alpha)
    if dp is not None and not dp.is_root:  # rank 0 alone prints and adds the L2 penalty
        alpha, verbose = 0.0, False
    loop = _Loop(net, opt, sched, lr0, alpha, rng, verbose, dp)
    bs = Xc.shape[0] if batch_size is None else min(batch_size, Xc.shape[0])
    loop.stopper = EarlyStopping(patience, min_delta) if early_stopping else None
    data = FitData(Xc, Yc, w, Xv, Yv, epochs, bs, shuffle, tuple(callbacks))
    if checkpoint is not None:
        settings = _as_json(
            {
                "fit": {
                    "epochs": epochs,
                    "batch_size": bs,
                    "shuffle": bool(shuffle),
                    "alpha": alpha_given,
                    "early_stopping": bool(early_stopping),
                    "patience": patience,
                    "min_delta": float(min_delta),
                    "validation_split": float(validation_split),
                },
                "optimizer": {
                    "class": type(opt).__name__,
                    "hyperparameters": opt.hyperparameters(),
                    "learning_rate": lr0,
                },
                "schedule": repr(sched),
                "data": {
                    "train": {"rows": int(Xc.shape[0]), **data_print},
                    "validation": {"Xv": fingerprint(Xv), "Yv": fingerprint(Yv)},
                },
                "ranks": 1 if dp is None else dp.size,
            }
        )
        if ckpt is not None and not resume_force:  # another run's: refused, nothing changed
            from glassnet.training.resume import check_same_run

            try:
                check_same_run(ckpt, settings, network_description(net))
            except ValueError:
                rng.bit_generator.state = rng_before
                raise
        loop.saver = Checkpointer(
            checkpoint,
            every,
            {
                **settings,
                "rng_start": rng_start,
                "has_best_P": False,
                "extras": _as_json(getattr(net, "metadata", {})),
            },
        )
        loop.signals = StopSignals()
    elif dp is not None:
        loop.signals = StopSignals()
    try:
        return _run(loop, data, ckpt, dp)
    finally:
        opt.learning_rate = lr0  # the next fit's schedule starts from the same rate


def _run(
    loop: _Loop,
    data: FitData,
    ckpt: Checkpoint | None,
    dp: DataParallel | None,
) -> History:
    """The loop inside its BLAS thread setting; a checkpoint, if any, restored first."""
    if dp is not None:  # one BLAS thread per rank: ranks × threads = cores
        if ckpt is not None:
            _resume(loop, ckpt, data)
        with dp.thread_limit():
            return loop.run(data)
    loop.threads = BlasThreads(loop.net, data.batch_size)
    if ckpt is not None:  # (restores the thread setting the run had chosen, if it had)
        _resume(loop, ckpt, data)
    with loop.threads:
        return loop.run(data)


def _resume(loop: _Loop, ckpt: Checkpoint, data: FitData) -> None:
    """Put the run back where the checkpoint stood (fit has checked that it is this run's)."""
    from glassnet.training.resume import restore

    restore(loop, ckpt, data.X.shape[0])


def _set_generator(rng: np.random.Generator, state: Any, where: str) -> None:
    """rng's state from a checkpoint, or the one-line refusal."""
    try:
        rng.bit_generator.state = state
    except (TypeError, ValueError, KeyError, OverflowError) as exc:
        from glassnet.saving import ModelFileError
        from glassnet.saving._checks import show

        raise ModelFileError(
            f"{where}: its generator state is invalid ({show(str(exc))})"
        ) from None


def _as_json(value: Any) -> Any:
    """``value`` as JSON would give it back (tuples as lists)."""
    return json.loads(json.dumps(value))
