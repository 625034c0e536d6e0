"""Small fits run both ways: under ``mpiexec -n 2`` with distributed="mpi", and in one process.

``python distributed_cases.py OUT`` (under mpiexec) runs every case on every rank and saves
each rank's result to ``OUT/<case>.rank<r>.npz``; test_distributed.py runs the same cases in
one process and compares. ``make(case, rank)`` builds a case as rank ``rank`` sees it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

import glassnet as gn

CASES = ("adam64", "adam32", "uneven", "sum", "early", "skewed", "callback", "dropout", "mismatch")


def _blobs(n: int, i: int, classes: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    X = rng.normal(size=(n, i)) + y[:, None]
    return X, y


def make(case: str, rank: int) -> tuple[gn.Network, np.ndarray, np.ndarray, dict[str, Any]]:
    """The network, data and fit options of ``case`` on ``rank`` (rank 0: the reference)."""
    if case in ("adam64", "adam32"):
        # 160 rows, batch 16, 2 epochs: 20 Adam steps. Each rank initialises with its own seed
        # and its own generator: the fit must start every rank from rank 0's weights and state.
        X, y = _blobs(160, 5, 3, seed=1)
        dtype = "float64" if case == "adam64" else "float32"
        net = gn.Network([5, 16, 8, 3], loss="cross_entropy", dtype=dtype, seed=rank)
        return (
            net,
            X,
            y,
            {"epochs": 2, "batch_size": 16, "optimizer": "adam", "learning_rate": 0.01},
        )
    if case == "uneven":
        # batch 7 over 2 ranks (4 + 3 rows); 43 rows leave a last batch of 1 row, so rank 1 has
        # none; weighted samples and an L2 penalty, which rank 0 alone adds.
        rng = np.random.default_rng(2)
        X = rng.normal(size=(43, 4))
        Y = np.c_[X[:, :2].sum(axis=1), X[:, 2] * X[:, 3]]
        w = rng.uniform(0.5, 2.0, 43)
        net = gn.Network([4, 8, 2], activation="tanh", dtype="float64", seed=0)
        options = {
            "epochs": 3,
            "batch_size": 7,
            "learning_rate": 0.01,
            "sample_weight": w,
            "alpha": 1e-3,
        }
        return net, X, Y, options
    if case == "sum":
        # reduction="sum" (scale 1 on every row) with SGD momentum, uneven slices again
        rng = np.random.default_rng(8)
        X = rng.normal(size=(43, 4))
        Y = np.c_[X[:, 0] - X[:, 1], X[:, 2]]
        net = gn.Network([4, 8, 2], reduction="sum", dtype="float64", seed=0)
        return net, X, Y, {"epochs": 2, "batch_size": 7, "optimizer": gn.SGD(0.002, momentum=0.9)}
    if case in ("early", "skewed", "callback"):
        X, y = _blobs(120, 6, 2, seed=3)
        Xv, yv = _blobs(60, 6, 2, seed=4)
        net = gn.Network([6, 32, 2], loss="cross_entropy", dtype="float64", seed=0)
        # batch 17: 120 rows leave a last batch of 1 row, so rank 1 has none (a classifier)
        options: dict[str, Any] = {
            "epochs": 40,
            "batch_size": 17,
            "learning_rate": 0.003,
            "seed": 5,
        }
        if case in ("early", "skewed"):
            # "skewed": rank 1 holds other validation rows, but rank 0's val_loss decides
            Xv = Xv + (0.7 * rank if case == "skewed" else 0.0)
            options.update(validation_data=(Xv, yv), early_stopping=True, patience=3)
        else:
            # rank 0's callback stops after epoch 3; rank 1's would stop after epoch 1, but
            # rank 0 decides for all
            options.update(callbacks=[lambda net, h: h.epochs == (3 if rank == 0 else 1)])
        return net, X, y, options
    if case == "dropout":
        X, y = _blobs(64, 5, 3, seed=6)
        net = gn.Network([5, 16, 3], loss="cross_entropy", dtype="float64", dropout=0.3, seed=0)
        return net, X, y, {"epochs": 3, "batch_size": 9, "validation_split": 0.25}
    if case == "mismatch":
        X, y = _blobs(30, 3, 2, seed=7)
        net = gn.Network([3, 4, 2], loss="cross_entropy", dtype="float64", seed=0)
        return net, X + rank, y, {"epochs": 1}
    raise ValueError(case)


def main(out: Path) -> None:
    import os

    from glassnet import distributed

    if out.name == "abort":  # rank 1 fails alone, before MPI is initialised; rank 0 would
        if os.environ["PMI_RANK"] == "1":  # wait in the Barrier forever
            distributed.abort(3)
        distributed.world().Barrier()
        return
    from mpi4py import MPI

    rank = MPI.COMM_WORLD.Get_rank()
    np.savez(out / f"world.rank{rank}.npz", rank=distributed.rank(), size=distributed.size())
    for case in CASES:
        net, X, Y, options = make(case, rank)
        try:
            h = net.fit(X, Y, distributed="mpi", **options)
        except ValueError as exc:
            np.savez(out / f"{case}.rank{rank}.npz", error=str(exc))
            continue
        np.savez(
            out / f"{case}.rank{rank}.npz",
            P=net.P,
            loss=h.loss,
            accuracy=h.history.get("accuracy", []),
            val_loss=h.val_loss,
            epochs=h.epochs,
            best_epoch=-1 if h.best_epoch is None else h.best_epoch,
            stop_reason=str(h.stop_reason),
        )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
