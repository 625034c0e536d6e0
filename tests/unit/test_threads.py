"""The BLAS threads of a fit: one for small products, else the faster of a timed trial."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import threads


@pytest.fixture(autouse=True)
def _numpy_gemm(monkeypatch):
    """The thread choice alone (tests/unit/test_mkl.py tests the trial with MKL in it)."""
    monkeypatch.setenv("GLASSNET_GEMM", "numpy")


def _blas_threads() -> list[int]:
    from threadpoolctl import threadpool_info

    return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]


def test_small_products_use_one_blas_thread():
    before = _blas_threads()
    with threads.BlasThreads(gn.Network([64, 128, 10]), 64) as chosen:  # 64·64·128 = 524k
        assert chosen.choice == 1 and not chosen.trying and not chosen.one_anyway
        assert _blas_threads() and all(n == 1 for n in _blas_threads())
    assert _blas_threads() == before


def test_products_openblas_never_threads_are_not_limited():
    """Below 262,144 multiply-adds OpenBLAS uses one thread by itself: no limit is set."""
    assert threads._numpy_uses_openblas()  # NumPy's wheels; the rule depends on it
    before = _blas_threads()
    with threads.BlasThreads(gn.Network([64, 64, 10]), 32) as chosen:  # 32·64·64 = 131k
        assert chosen.choice == 1 and chosen.one_anyway and chosen._limiter is None
        assert _blas_threads() == before


class StepClock:
    """A fake clock for glassnet.threads: each timed step lasts what ``duration`` says."""

    def __init__(self, chosen, duration):
        self.chosen, self.duration, self.now = chosen, duration, 0.0

    def perf_counter(self):
        self.now += self.duration(one_thread=self.chosen._limiter is not None)
        return self.now


@pytest.mark.parametrize("faster", [1, None])
def test_big_products_keep_the_clearly_faster_thread_setting(faster, monkeypatch):
    net = gn.Network([1000, 1000])  # 8 · 1000 · 1000 multiply-adds: worth a trial
    with threads.BlasThreads(net, 8) as chosen:
        assert chosen.trying
        clock = StepClock(chosen, lambda one_thread: 1.0 if one_thread == (faster == 1) else 20)
        monkeypatch.setattr(threads, "time", clock)
        for _ in range(2):  # one pair of steps: 20 times faster is a clear winner
            with chosen.trial():
                pass
        assert not chosen.trying and chosen.choice == faster


def test_close_timings_are_tried_for_all_trial_steps(monkeypatch):
    with threads.BlasThreads(gn.Network([1000, 1000]), 8) as chosen:
        clock = StepClock(chosen, lambda one_thread: 1.0 if one_thread else 1.2)
        monkeypatch.setattr(threads, "time", clock)
        for k in range(2 * threads.TRIAL_STEPS):
            assert chosen.trying, f"decided after {k} steps"
            with chosen.trial():
                pass
        assert not chosen.trying and chosen.choice == 1


def test_fit_reports_its_thread_choice():
    net = gn.Network([1000, 1000])
    history = net.fit(np.zeros((16, 1000)), np.zeros((16, 1000)), epochs=1, batch_size=8)
    assert history.blas_threads in (1, None)
    small = gn.Network([3, 2]).fit(np.zeros((4, 3)), np.zeros((4, 2)), epochs=1)
    assert small.blas_threads == 1
