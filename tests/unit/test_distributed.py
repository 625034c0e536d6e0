"""Data-parallel training over MPI: 2 ranks under mpiexec give the model of one process."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from distributed_cases import CASES, make

import glassnet as gn
from glassnet import distributed

MPIEXEC = Path(sys.executable).parent / "mpiexec"  # the mpich wheel's, beside the venv's python
WORKER = Path(__file__).with_name("distributed_cases.py")


@pytest.fixture(scope="module")
def ranks(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, dict[str, Any]]]:
    """Every case run once under ``mpiexec -n 2``: [rank 0's results, rank 1's results]."""
    out = tmp_path_factory.mktemp("mpi")
    cmd = [str(MPIEXEC), "-n", "2", sys.executable, str(WORKER), str(out)]
    done = subprocess.run(
        cmd, check=False, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    cases = (*CASES, "world")
    return [{case: dict(np.load(out / f"{case}.rank{r}.npz")) for case in cases} for r in range(2)]


def reference(case: str) -> tuple[gn.Network, gn.History]:
    """The same case trained by one process, without distributed."""
    net, X, Y, options = make(case, rank=0)
    return net, net.fit(X, Y, **options)


def relative(P: np.ndarray, Q: np.ndarray) -> float:
    return float(np.linalg.norm(P - Q) / np.linalg.norm(Q))


def test_ranks_hold_identical_weights(ranks: list[dict[str, dict[str, Any]]]) -> None:
    for case in CASES:
        if "P" in ranks[0][case]:
            np.testing.assert_array_equal(ranks[0][case]["P"], ranks[1][case]["P"], case)


@pytest.mark.parametrize(("case", "tol"), [("adam64", 1e-10), ("adam32", 1e-4)])
def test_twenty_adam_steps_equal_one_process(
    ranks: list[dict[str, dict[str, Any]]], case: str, tol: float
) -> None:
    net, h = reference(case)
    got = ranks[0][case]
    assert net.n_params == got["P"].size and h.epochs * 10 == 20  # 10 batches an epoch
    assert relative(got["P"], net.P) < tol
    np.testing.assert_allclose(got["P"], net.P, rtol=tol, atol=tol * np.abs(net.P).max())
    np.testing.assert_allclose(got["loss"], h.loss, rtol=tol)
    np.testing.assert_allclose(got["accuracy"], h["accuracy"], rtol=tol)
    # and the 20 steps did move the weights: rank 1's own initialisation was replaced too
    assert relative(got["P"], make(case, rank=1)[0].P) > 0.1
    assert relative(got["P"], make(case, rank=0)[0].P) > 0.01


@pytest.mark.parametrize("case", ["uneven", "sum"])
def test_uneven_slices_and_empty_last_slice(
    ranks: list[dict[str, dict[str, Any]]], case: str
) -> None:
    net, h = reference(case)
    got = ranks[0][case]
    assert relative(got["P"], net.P) < 1e-10
    np.testing.assert_allclose(got["loss"], h.loss, rtol=1e-10)
    assert h.loss[-1] < h.loss[0]


@pytest.mark.parametrize("case", ["early", "skewed"])
def test_early_stopping_agrees(ranks: list[dict[str, dict[str, Any]]], case: str) -> None:
    net, h = reference(case)
    # early stopping did stop it, after improving for a while (15 epochs, best 12, here)
    assert h.stop_reason is not None and 5 < h.best_epoch < h.epochs < 40
    for r in range(2):
        got = ranks[r][case]
        assert int(got["epochs"]) == h.epochs and int(got["best_epoch"]) == h.best_epoch
        assert str(got["stop_reason"]) == h.stop_reason
        np.testing.assert_allclose(got["val_loss"], h.val_loss, rtol=1e-10)
        assert relative(got["P"], net.P) < 1e-10


def test_rank_zero_callbacks_decide(ranks: list[dict[str, dict[str, Any]]]) -> None:
    net, h = reference("callback")
    assert h.epochs == 3
    for r in range(2):
        assert int(ranks[r]["callback"]["epochs"]) == 3
        assert relative(ranks[r]["callback"]["P"], net.P) < 1e-10


def test_dropout_keeps_ranks_in_step(ranks: list[dict[str, dict[str, Any]]]) -> None:
    # the masks differ from one process's (each rank draws its own), but the ranks agree
    for r in range(2):
        got = ranks[r]["dropout"]
        assert int(got["epochs"]) == 3 and np.all(np.isfinite(got["P"]))
    np.testing.assert_array_equal(ranks[0]["dropout"]["val_loss"], ranks[1]["dropout"]["val_loss"])


def test_different_data_on_the_ranks_is_refused(ranks: list[dict[str, dict[str, Any]]]) -> None:
    for r in range(2):
        assert "ranks were given different data" in str(ranks[r]["mismatch"]["error"])


def test_rank_and_size_under_mpiexec(ranks: list[dict[str, dict[str, Any]]]) -> None:
    # ranks[r] holds what distributed.rank() and size() said on rank r
    assert [(int(ranks[r]["world"]["rank"]), int(ranks[r]["world"]["size"])) for r in (0, 1)] == [
        (0, 2),
        (1, 2),
    ]


def test_abort_ends_every_rank() -> None:
    cmd = [str(MPIEXEC), "-n", "2", sys.executable, str(WORKER), "abort"]
    done = subprocess.run(
        cmd, check=False, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 3, done.stdout + done.stderr


def test_without_mpiexec_it_is_ordinary_training() -> None:
    net, X, Y, options = make("uneven", rank=0)
    h = net.fit(X, Y, distributed="mpi", **options)
    ref, h_ref = reference("uneven")
    np.testing.assert_array_equal(net.P, ref.P)
    assert h.loss == h_ref.loss
    assert distributed.rank() == 0 and distributed.size() == 1 and distributed.is_root()


def test_unknown_distributed_is_refused() -> None:
    net, X, Y, _ = make("uneven", rank=0)
    before = net.P.copy()
    with pytest.raises(ValueError, match="unknown distributed='horovod'"):
        net.fit(X, Y, distributed="horovod")
    np.testing.assert_array_equal(net.P, before)


def test_bounds_cover_the_batch_once() -> None:
    for n in range(12):
        for size in (1, 2, 3, 5):
            slices = [distributed.bounds(n, r, size) for r in range(size)]
            assert slices[0][0] == 0 and slices[-1][1] == n
            assert all(a[1] == b[0] for a, b in itertools.pairwise(slices))
            assert max(hi - lo for lo, hi in slices) - min(hi - lo for lo, hi in slices) <= 1
