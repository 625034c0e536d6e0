"""The optional MKL GEMM (glassnet.kernels.mkl) against NumPy's products, and its place in a
fit's trial. ``make test`` installs the ``mkl`` wheel, so these run in CI."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import glassnet as gn
from glassnet import kernels, threads
from glassnet.kernels import mkl

TOL = {np.float32: 2e-6, np.float64: 1e-13}


def test_mkl_is_installed_where_the_suite_runs():
    assert mkl.available(), "make test installs glassnet[mkl]; libmkl_rt was not found"
    version = mkl.version()
    assert version and all(part.isdigit() for part in version.split("."))  # e.g. 2026.2


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("trans_a", [False, True])
@pytest.mark.parametrize("trans_b", [False, True])
@pytest.mark.parametrize(
    "m, k, n", [(37, 53, 29), (1, 53, 29), (37, 1, 29), (37, 53, 1), (1, 1, 1)]
)
def test_dot_equals_numpy_for_every_layout_a_layer_uses(dtype, trans_a, trans_b, m, k, n):
    """Z = X·W, dW = Xᵀ·E and dX = E·Wᵀ: C-contiguous operands and transposed views, with
    the shapes of size 1 that are C- and F-contiguous at once (one row, one input...)."""
    rng = np.random.default_rng(0)
    A = rng.standard_normal((k, m) if trans_a else (m, k)).astype(dtype)
    B = rng.standard_normal((n, k) if trans_b else (k, n)).astype(dtype)
    A, B = (A.T if trans_a else A), (B.T if trans_b else B)
    out = np.full((m, n), np.nan, dtype)
    got = mkl.dot(A, B, out=out)
    assert got is out
    want = np.dot(A, B)
    assert np.max(np.abs(out - want)) <= TOL[dtype] * np.max(np.abs(want)) * k


def test_dot_hands_what_mkl_does_not_take_to_numpy():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((6, 8))
    cases = [
        (A[:, ::2], rng.standard_normal((4, 3))),  # strided: neither C- nor F-contiguous
        (A.astype(np.float32), rng.standard_normal((8, 3))),  # mixed dtypes
        (A.astype(np.int64), np.ones((8, 3), np.int64)),  # integers
        (A, rng.standard_normal(8)),  # a vector
    ]
    for a, b in cases:
        want = np.dot(a, b)
        out = np.empty_like(want)
        np.testing.assert_array_equal(mkl.dot(a, b, out=out), want)
    # out overlapping an operand: NumPy's own handling, not a GEMM reading what it writes
    M = np.eye(4) + 1.0
    want = M @ M
    np.testing.assert_array_equal(mkl.dot(M, M, out=M), want)
    # a read-only out is refused, as NumPy refuses it, and left as it was
    out = np.zeros((4, 4))
    out.flags.writeable = False
    with pytest.raises(ValueError):
        mkl.dot(M, M, out=out)
    assert not out.any()


def test_nested_fits_keep_the_outer_fits_split_setting():
    outer = threads.BlasThreads(gn.Network([4, 3]), 2)
    with outer:
        token = kernels.idle_core.set(True)  # as an outer fit on MKL's products sets it
        with threads.BlasThreads(gn.Network([3, 2]), 2):  # e.g. a fit inside a callback
            assert not kernels.idle_core.get()
        assert kernels.idle_core.get()
        kernels.idle_core.reset(token)
    assert not kernels.idle_core.get()


def test_a_split_step_that_raises_waits_for_its_other_half():
    """An interrupt in the caller's half must not leave the worker writing P afterwards."""
    import time
    import types

    def kernel(P):
        if P[0] == 0:  # the caller's half (the first)
            raise KeyboardInterrupt
        time.sleep(0.2)
        P[:] = 7

    P = np.zeros(8)
    P[4:] = 1
    with pytest.raises(KeyboardInterrupt):
        kernels.Halves(types.SimpleNamespace(step=kernel)).step(P)
    np.testing.assert_array_equal(P, [0, 0, 0, 0, 7, 7, 7, 7])  # done before the raise


def test_gemm_can_be_fixed_or_switched_off(monkeypatch):
    monkeypatch.setenv("GLASSNET_GEMM", "numpy")
    assert mkl.choice() == "numpy" and mkl.load() is None
    assert threads.choices() == ["numpy"]
    monkeypatch.setenv("GLASSNET_GEMM", "MKL")
    assert threads.choices() == ["mkl"]
    monkeypatch.setenv("GLASSNET_GEMM", "auto")
    assert threads.choices() == ["numpy", "mkl"]
    monkeypatch.setenv("GLASSNET_GEMM", "openblas")
    with pytest.raises(ValueError, match="GLASSNET_GEMM='openblas': use 'numpy', 'mkl'"):
        mkl.choice()


def test_forcing_mkl_where_it_is_missing_says_how_to_install_it(monkeypatch):
    monkeypatch.setenv("GLASSNET_GEMM", "mkl")
    monkeypatch.setattr(mkl, "available", lambda: False)
    with pytest.raises(RuntimeError, match=r"pip install -e '\.\[mkl\]' in a glassnet clone"):
        gn.Network([3, 2]).fit(np.zeros((4, 3)), np.zeros((4, 2)), epochs=1)


class SettingClock:
    """A fake clock for glassnet.threads: each timed step lasts what ``seconds[setting]`` says."""

    def __init__(self, chosen, seconds):
        self.chosen, self.seconds, self.now = chosen, seconds, 0.0

    def perf_counter(self):
        self.now += self.seconds[self.chosen.setting]
        return self.now


def test_a_trial_compares_mkl_with_numpy_and_puts_the_winner_on_every_layer(monkeypatch):
    monkeypatch.delenv("GLASSNET_GEMM", raising=False)
    net = gn.Network([1000, 1000, 10])
    with threads.BlasThreads(net, 8) as chosen:
        assert set(chosen.times) == {(1, "numpy"), (None, "numpy"), (1, "mkl"), (None, "mkl")}
        seconds = {(1, "numpy"): 1.3, (None, "numpy"): 1.2, (1, "mkl"): 1.4, (None, "mkl"): 1.0}
        monkeypatch.setattr(threads, "time", SettingClock(chosen, seconds))
        seen = set()
        for _ in range(4 * threads.TRIAL_STEPS):
            assert chosen.trying
            with chosen.trial():
                on = tuple(l.gemm is mkl.dot for l in net.layers)
                seen.add((chosen.setting, on, kernels.idle_core.get()))
        assert not chosen.trying and chosen.setting == (None, "mkl")
        assert {s for s, _, _ in seen} == set(seconds)  # every setting was timed...
        assert all(all(on) == (s[1] == "mkl") and len(set(on)) == 1 for s, on, _ in seen)
        assert all(idle == (s == (None, "mkl")) for s, _, idle in seen)
        assert all(l.gemm is mkl.dot for l in net.layers)  # ...and the winner kept
        assert kernels.idle_core.get()  # MKL's threads sleep: big optimizer steps split
    assert all(l.gemm is np.dot for l in net.layers)  # the fit's choice ends with it
    assert not kernels.idle_core.get()


def test_a_layer_pickles_without_the_fits_gemm():
    net = gn.Network([4, 3])
    net.layers[0].gemm = mkl.dot
    copy = pickle.loads(pickle.dumps(net))
    assert copy.layers[0].gemm is np.dot


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_fit_on_mkl_equals_a_fit_on_numpy(dtype, monkeypatch):
    """The same seed trains to the same weights whichever library ran the products (float64:
    to 1e-10; float32: the rounding of 4 epochs of Adam), and the fit says which it used."""
    rng = np.random.default_rng(2)
    X = rng.standard_normal((256, 300))
    y = rng.integers(0, 3, 256)
    P = {}
    lib, calls = mkl.load(), []
    for name in ("cblas_sgemm", "cblas_dgemm"):
        real = getattr(lib, name)
        monkeypatch.setattr(lib, name, lambda *a, real=real: calls.append(a[3:6]) or real(*a))
    for gemm in ("numpy", "mkl"):
        monkeypatch.setenv("GLASSNET_GEMM", gemm)
        net = gn.Network([300, 400, 3], loss="cross_entropy", seed=0, dtype=dtype)
        h = net.fit(X, y, epochs=4, batch_size=64, verbose=False)
        assert h.gemm == gemm
        assert bool(calls) == (gemm == "mkl")  # MKL ran the products, not NumPy's fallback
        P[gemm] = net.P.copy()
    # every product of every step: 4 epochs × 4 batches × (2 forward, 2 dW, 1 dX)
    assert len(calls) == 4 * 4 * 5 and (64, 400, 300) in calls
    scale = np.linalg.norm(P["numpy"])
    assert np.linalg.norm(P["mkl"] - P["numpy"]) <= (1e-10 if dtype == "float64" else 1e-4) * scale
