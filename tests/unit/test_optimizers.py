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
