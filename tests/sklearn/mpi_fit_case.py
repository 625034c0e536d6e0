"""Run under ``mpiexec -n 2``: an MLPClassifier trained with distributed="mpi" saves rank 0's
and rank 1's coefficients to ``OUT/rank<r>.npz`` (test_distributed_fit.py compares them with
one process's).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

from glassnet.distributed import rank
from glassnet.sklearn import MLPClassifier


def fit(distributed: str | None) -> MLPClassifier:
    X, y = load_digits(return_X_y=True)
    est = MLPClassifier(
        hidden_layer_sizes=(32,),
        max_iter=3,
        batch_size=50,
        random_state=0,
        dtype="float64",
        early_stopping=True,
        distributed=distributed,
    )
    return est.fit(X / 16, y)


if __name__ == "__main__":
    est = fit("mpi")
    np.savez(
        Path(sys.argv[1]) / f"rank{rank()}.npz",
        *est.coefs_,
        *est.intercepts_,
        loss_curve=np.array(est.loss_curve_),
    )
