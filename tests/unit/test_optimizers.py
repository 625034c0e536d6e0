"""The optimizers' NumPy steps: blocked Adam equals the whole-vector step and the plain rule
(the compiled steps are checked against these in test_kernels.py)."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import optimizers


def adam_plain(P, G, M, V, t, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    """torch.optim.Adam's rule, one fresh array per operation."""
    M[:] = b1 * M + (1 - b1) * G
    V[:] = b2 * V + (1 - b2) * G * G
    P -= lr * (M / (1 - b1**t)) / (np.sqrt(V / (1 - b2**t)) + eps)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_blocked_adam_equals_unblocked(dtype, rng, monkeypatch):
    n = 3 * optimizers.block_size(np.empty(1, dtype)) + 17  # three blocks and a short one
    P0 = rng.standard_normal(n).astype(dtype)
    Gs = [rng.standard_normal(n).astype(dtype) for _ in range(5)]
    blocked, whole = optimizers.Adam(), optimizers.Adam()
    P_blocked = P0.copy()
    for G in Gs:
        blocked.step(P_blocked, G)
    monkeypatch.setattr(optimizers, "BLOCK_BYTES", 1 << 40)  # one block: the whole vector
    P_whole = P0.copy()
    for G in Gs:
        whole.step(P_whole, G)
    np.testing.assert_array_equal(P_blocked, P_whole)  # the same operations, bit for bit
    np.testing.assert_array_equal(blocked.V, whole.V)
    if dtype == "float64":
        P, M, V = P0.copy(), np.zeros(n), np.zeros(n)
        for t, G in enumerate(Gs, start=1):
            adam_plain(P, G, M, V, t)
        np.testing.assert_allclose(P_blocked, P, rtol=1e-12)
        np.testing.assert_allclose(blocked.M, M, rtol=1e-12)


MOMENTS = [
    lambda: optimizers.Adam(1e-3),
    lambda: optimizers.AdamW(1e-3),
    lambda: optimizers.SGD(0.1, momentum=0.9),
    lambda: optimizers.RMSprop(1e-3, momentum=0.9, centered=True),
]


def _subnormal(A):
    return int(np.count_nonzero((A != 0) & (np.abs(A) < np.finfo(A.dtype).tiny)))


@pytest.mark.parametrize("make", MOMENTS, ids=lambda m: type(m()).__name__)
@pytest.mark.parametrize("n", [100, 60_000])  # the NumPy step, and the compiled one
def test_moments_of_a_zero_gradient_never_become_subnormal(make, n):
    """Where G turns 0 the moments decay towards 0; arithmetic on subnormal numbers on the way
    is slow on Intel CPUs (optimizers.FLUSH_EVERY), so they are set to 0 before."""
    rng = np.random.default_rng(0)
    opt, P = make(), rng.standard_normal(n).astype(np.float32)
    opt.step(P, rng.standard_normal(n).astype(np.float32))
    G = np.zeros(n, np.float32)
    for _ in range(1500):  # β = 0.9 takes M through the subnormal range after ~800 steps
        opt.step(P, G)
        moments = [getattr(opt, m) for m in opt.moments if getattr(opt, m) is not None]
        assert moments and all(_subnormal(A) == 0 for A in moments)
    if isinstance(opt, optimizers.SGD):  # momentum: V ← 0.9·V decayed all the way to 0
        assert np.all(opt.V == 0)


def test_the_flush_leaves_float64_as_it_was(monkeypatch):
    rng = np.random.default_rng(1)
    P0, G = rng.standard_normal(500), rng.standard_normal(500)
    results = []
    for every in (optimizers.FLUSH_EVERY, 10**9):
        monkeypatch.setattr(optimizers, "FLUSH_EVERY", every)
        opt, P = optimizers.Adam(1e-3), P0.copy()
        opt.step(P, G)
        for _ in range(300):
            opt.step(P, np.zeros_like(G))
        results.append((P, opt.M.copy()))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
