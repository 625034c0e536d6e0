"""A training run for the fault tests, started as a subprocess (alone or under mpiexec).

    python worker.py OUT MODE [CHECKPOINT_EVERY [EPOCHS]]

MODE ``ref``: train uninterrupted; ``run``: train with a checkpoint at OUT/run.ckpt, resuming
it if it exists. Rank 0 writes the final weights and History to OUT/<mode>.npz. With
``GLASSNET_TEST_SLOW_WRITE=seconds``, every fsync sleeps that long first, so that a kill
from outside often lands in the middle of a checkpoint's write. With
``GLASSNET_TEST_KILL=write:K`` the process SIGKILLs itself inside its K-th checkpoint write
(the temporary file written, not yet renamed); with ``step:K`` inside its K-th step (after
backward, before the optimizer's update).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

import glassnet as gn
from glassnet import distributed

SLOW = float(os.environ.get("GLASSNET_TEST_SLOW_WRITE", "0"))
if SLOW:
    real_fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        time.sleep(SLOW)
        real_fsync(fd)

    os.fsync = slow_fsync


KILL = os.environ.get("GLASSNET_TEST_KILL", "")
if KILL.startswith("write:"):
    writes, last_fsync = [0], os.fsync

    def fsync_then_die(fd: int) -> None:
        writes[0] += 1
        if writes[0] == int(KILL.split(":")[1]):
            os.kill(os.getpid(), signal.SIGKILL)
        last_fsync(fd)

    os.fsync = fsync_then_die


def die_in_step(net: gn.Network) -> None:
    """SIGKILL in the K-th step, between backward and the optimizer step."""
    steps, real = [0], net.loss_and_gradient

    def step(*args: Any, **kwargs: Any) -> float:
        C = real(*args, **kwargs)
        steps[0] += 1
        if steps[0] == int(KILL.split(":")[1]):
            os.kill(os.getpid(), signal.SIGKILL)
        return C

    net.loss_and_gradient = step  # type: ignore[method-assign]


def main() -> int:
    out, mode = Path(sys.argv[1]), sys.argv[2]
    every = sys.argv[3] if len(sys.argv) > 3 else "5 steps"
    epochs = int(sys.argv[4]) if len(sys.argv) > 4 else 25
    rng = np.random.default_rng(7)
    X = rng.standard_normal((240, 6))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5)
    net = gn.Network([6, 24, 24, 3], loss="cross_entropy", dropout=0.2, dtype="float64", seed=1)
    if KILL.startswith("step:"):
        die_in_step(net)
    options: dict[str, Any] = {
        "epochs": epochs,
        "batch_size": 16,
        "optimizer": "adamw",
        "schedule": "cosine",
        "validation_split": 0.2,
        "early_stopping": True,
        "patience": 30,
        "seed": 3,
        "distributed": "mpi" if distributed.launched_by_mpi() else None,
    }
    if mode == "run":
        ckpt = out / "run.ckpt"
        every_value: int | str = int(every) if every.isdigit() else every
        options.update(checkpoint=ckpt, checkpoint_every=every_value)
        if ckpt.exists():
            options["resume"] = ckpt

    def started(net: gn.Network, h: gn.History) -> None:
        if distributed.is_root():  # an epoch ended here: training (and its handlers) runs
            (out / "started").touch()

    h = net.fit(X, y, callbacks=[started], **options)
    if h.stop_reason and h.stop_reason.startswith("interrupted"):
        return 75
    if distributed.is_root():
        np.savez(out / f"{mode}.npz", P=net.P, history=json.dumps(h.history))
    return 0


if __name__ == "__main__":
    sys.exit(main())
