"""The scikit-learn estimators train data-parallel with distributed="mpi" under mpiexec."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from mpi_fit_case import fit

from glassnet.sklearn import MLPClassifier

HERE = Path(__file__).parent
MPIEXEC = Path(sys.executable).parent / "mpiexec"


def test_two_ranks_train_the_model_of_one_process(tmp_path: Path) -> None:
    subprocess.run(
        [str(MPIEXEC), "-n", "2", sys.executable, str(HERE / "mpi_fit_case.py"), str(tmp_path)],
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=180,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 3 iterations do not converge, on purpose
        one = fit(None)
    want = [*one.coefs_, *one.intercepts_]
    for r in (0, 1):
        got = np.load(tmp_path / f"rank{r}.npz")
        for k, M in enumerate(want):
            np.testing.assert_allclose(got[f"arr_{k}"], M, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(got["loss_curve"], one.loss_curve_, rtol=1e-10)


def test_lbfgs_is_refused_with_mpi() -> None:
    est = MLPClassifier(solver="lbfgs", distributed="mpi")
    with pytest.raises(ValueError, match="distributed='mpi' trains by minibatches"):
        est.fit(np.eye(4), [0, 1, 0, 1])
