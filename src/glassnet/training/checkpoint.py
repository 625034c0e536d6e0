"""Checkpoints: one file that holds a whole run, so that a resumed run is the same run.

A checkpoint is a safetensors file (never pickle), like a model file, with the format
``"glassnet-checkpoint"``. Tensors: ``P`` (the weights), ``optimizer.<name>`` (its state
vectors, e.g. ``optimizer.M`` and ``optimizer.V`` for Adam), ``best_P`` (early stopping's
best weights), and, when written inside an epoch, ``order`` (that epoch's shuffled order)
and ``snapshot`` (the weights at that epoch's start). The ``__metadata__`` holds the network
description (as in model files) and a JSON ``state``: the fit's settings, the optimizer's
class, hyperparameters and step count, the schedule, a fingerprint of the data (shapes,
dtype, a hash of every byte), the generators' states (at the fit's start, which makes the
validation split again, and now), the position inside the run, the History so far, early
stopping's counters and the BLAS thread setting. Files are written atomically (temporary
file, fsync, rename): a kill or a full disk leaves the previous checkpoint as it was.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet._typing import Array
from glassnet._version import __version__

if TYPE_CHECKING:
    from glassnet.network import Network
    from glassnet.training.loop import _Loop

FORMAT = "glassnet-checkpoint"
FORMAT_VERSION = 1
UNITS = {"epoch": "epochs", "step": "steps", "s": "seconds", "second": "seconds", "min": "minutes"}


class CheckpointWarning(UserWarning):
    """A checkpoint could not be written; training went on and the previous one is intact."""


@dataclass(frozen=True)
class Every:
    """How often to write a checkpoint: every ``count`` epochs, steps or seconds."""

    count: float
    unit: str  # "epochs", "steps" or "seconds"


def parse_every(spec: int | str) -> Every:
    """``3`` or ``"3 epochs"``, ``"500 steps"``, ``"600 s"``/``"10 min"`` as an Every."""
    if isinstance(spec, int) and not isinstance(spec, bool) and spec >= 1:
        return Every(spec, "epochs")
    match = re.fullmatch(r"\s*(\d+(?:\.\d*)?)\s*([a-z]+?)s?\s*", str(spec).lower())
    unit = UNITS.get(match.group(2)) if match else None
    if match is None or unit is None or float(match.group(1)) <= 0:
        raise ValueError(
            f"checkpoint_every={spec!r}: give a number of epochs (e.g. 1), or a string such "
            "as '5 epochs', '500 steps', '600 s' or '10 min'"
        )
    count = float(match.group(1))
    if unit == "minutes":
        return Every(60 * count, "seconds")
    if unit != "seconds" and count != int(count):
        raise ValueError(f"checkpoint_every={spec!r}: {unit} must be a whole number")
    return Every(count, unit)


def fingerprint(M: Array | None) -> dict[str, Any] | None:
    """Shape, dtype and a BLAKE2b hash of every byte of M (None for None)."""
    if M is None:
        return None
    import hashlib  # (here: a fit without checkpoints does not import it)

    digest = hashlib.blake2b(np.ascontiguousarray(M).data, digest_size=16).hexdigest()
    return {"shape": list(M.shape), "dtype": M.dtype.name, "blake2b": digest}


def _generator_state(rng: np.random.Generator | None) -> dict[str, Any] | None:
    return None if rng is None else dict(rng.bit_generator.state)


class Checkpointer:
    """Writes the checkpoints of one fit: when they are due, and what they hold.

    ``settings`` are the parts that do not change during the fit (its options, the
    optimizer's hyperparameters, the data's fingerprint, the generator at the start); the
    rest is read from the loop at each write. On MPI every rank calls ``save`` at the same
    step (it gathers the dropout generators); rank 0 alone writes.
    """

    def __init__(
        self, path: str | os.PathLike[str], every: Every, settings: dict[str, Any]
    ) -> None:
        self.path, self.every, self.settings = Path(path), every, settings
        self.written = False  # one checkpoint written by this fit
        self.warned = False
        self.last_time = time.monotonic()

    def due_after_epoch(self, epoch: int) -> bool:
        return self.every.unit == "epochs" and epoch % int(self.every.count) == 0

    def due_after_step(self, steps: int) -> bool:
        return self.every.unit == "steps" and steps % int(self.every.count) == 0

    def due_in_time(self) -> bool:
        return (
            self.every.unit == "seconds" and time.monotonic() - self.last_time >= self.every.count
        )

    def save(self, loop: _Loop) -> None:
        """Write the run's state now; a failed write warns once and training goes on."""
        dp = loop.dp
        dropout = None
        if dp is not None and loop.dropout_rng is not None:  # each rank's own generator
            dropout = dp.comm.gather(_generator_state(loop.dropout_rng), root=0)
        self.last_time = time.monotonic()
        if dp is not None and not dp.is_root:
            return
        state, tensors = self.contents(loop, dropout)
        try:
            from safetensors.numpy import save as to_bytes

            from glassnet.saving._write import describe, write_atomic

            header = {
                "format": FORMAT,
                "format_version": str(FORMAT_VERSION),
                "glassnet_version": __version__,
                "network": json.dumps(describe(loop.net), sort_keys=True),
                "state": json.dumps(state, sort_keys=True, allow_nan=False),
            }
            write_atomic(self.path, to_bytes(tensors, metadata=header))
            if not self.written:
                self._remove_leftovers()
            self.written = True
        except (OSError, ValueError) as exc:
            if not self.warned:
                self.warned = True
                warnings.warn(
                    f"could not write the checkpoint {self.path} ({exc}); training goes on "
                    "and the previous checkpoint, if any, is intact",
                    CheckpointWarning,
                    stacklevel=2,
                )

    def _remove_leftovers(self) -> None:
        """Delete the temporary files of writes that a kill cut short (write_atomic names
        them ``.<name>.<8 hex digits>.tmp`` beside the checkpoint)."""
        pattern = re.compile(rf"\.{re.escape(self.path.name)}\.[0-9a-f]{{8}}\.tmp")
        for leftover in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            if pattern.fullmatch(leftover.name):
                leftover.unlink(missing_ok=True)

    def contents(
        self, loop: _Loop, dropout: list[dict[str, Any]] | None
    ) -> tuple[dict[str, Any], dict[str, Array]]:
        """The JSON state and the tensors of a checkpoint of ``loop`` now."""
        pos, opt, h, stopper = loop.position, loop.opt, loop.history, loop.stopper
        arrays, scalars = opt.state()
        tensors = {"P": loop.net.P, **{f"optimizer.{k}": v for k, v in arrays.items()}}
        mid_epoch = pos.batch > 0
        if mid_epoch:
            assert pos.order is not None and pos.snapshot is not None
            tensors["order"], tensors["snapshot"] = pos.order.astype(np.int64), pos.snapshot
        if stopper is not None and stopper.best_P is not None:
            tensors["best_P"] = stopper.best_P
        threads = loop.threads
        state = {
            **self.settings,
            "optimizer": {
                **self.settings["optimizer"],
                "t": scalars["t"],
                "arrays": sorted(arrays),
            },
            "rng": _generator_state(loop.rng),
            "dropout_rngs": dropout,
            "position": {
                "epoch": pos.epoch,
                "batch": pos.batch,
                "mid_epoch": mid_epoch,
                "total": pos.total,
                "correct": pos.correct,
                "steps": pos.steps,
                "finished": pos.finished,
            },
            "history": {
                "history": h.history,
                "best_epoch": h.best_epoch,
                "stop_reason": h.stop_reason,
                "seconds": h.seconds,
            },
            "has_best_P": "best_P" in tensors,
            "stopper": None if stopper is None else _finite_state(stopper.state()),
            "threads": {
                "choice": None if threads is None else threads.choice,
                "gemm": "numpy" if threads is None else threads.gemm,
                "decided": threads is None or not threads.trying,
            },
        }
        return state, {k: np.ascontiguousarray(v) for k, v in tensors.items()}


def _finite_state(state: dict[str, Any]) -> dict[str, Any]:
    """JSON has no inf: early stopping's best_loss before any epoch is stored as null."""
    best = state["best_loss"]
    return {**state, "best_loss": best if math.isfinite(best) else None}


def network_description(net: Network) -> dict[str, Any]:
    """The architecture as a model file stores it (what a checkpoint is compared against)."""
    from glassnet.saving._write import describe

    return json.loads(json.dumps(describe(net), sort_keys=True))
