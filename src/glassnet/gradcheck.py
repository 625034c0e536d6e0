"""Central finite differences against backward, for every parameter and for dX.

For each entry p of the flat parameter vector: g_num = (C(p + h) − C(p − h)) / 2h, compared
with the backward pass's G by ``|g − g_num| ≤ atol + rtol · |g_num|`` (NumPy's allclose).
The check runs on a float64 copy of the network, with dropout off, and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from glassnet import parameters
from glassnet._typing import Array, ArrayLike
from glassnet.network import Network


@dataclass(frozen=True)
class Check:
    """One matrix's comparison: the largest absolute and relative errors, and the verdict."""

    name: str
    shape: tuple[int, ...]
    max_abs_error: float
    max_rel_error: float
    ok: bool


@dataclass(frozen=True)
class GradcheckReport:
    """The result of :func:`gradcheck`: one Check per matrix (dW1, dB1, ..., dX)."""

    checks: list[Check]
    h: float
    rtol: float
    atol: float

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def max_rel_error(self) -> float:
        return max(c.max_rel_error for c in self.checks)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        lines = [f"{'matrix':<10} {'shape':<12} {'max abs err':>12} {'max rel err':>12}  ok"]
        for c in self.checks:
            lines.append(
                f"{c.name:<10} {c.shape!s:<12} {c.max_abs_error:>12.3e} "
                f"{c.max_rel_error:>12.3e}  {'yes' if c.ok else 'NO'}"
            )
        verdict = "all gradients match" if self.ok else "MISMATCH"
        lines.append(
            f"{verdict} (central differences, h={self.h}, rtol={self.rtol}, atol={self.atol})"
        )
        return "\n".join(lines)


def _compare(name: str, g: Array, g_num: Array, rtol: float, atol: float) -> Check:
    err = np.abs(g - g_num)
    rel = err / np.maximum(np.abs(g_num), np.finfo(np.float64).tiny)
    rel = np.where(err == 0, 0.0, rel)
    ok = bool(np.all(err <= atol + rtol * np.abs(g_num)))
    return Check(name, g.shape, float(err.max(initial=0)), float(rel.max(initial=0)), ok)


def _numeric(f: object, V: Array, h: float) -> Array:
    """(f(V + h e_k) − f(V − h e_k)) / 2h for every entry k of V, restoring V after each."""
    assert callable(f)
    g = np.zeros_like(V)
    flat, gflat = V.reshape(-1), g.reshape(-1)
    for k in range(flat.size):
        v = flat[k]
        flat[k] = v + h
        c_plus = f()
        flat[k] = v - h
        c_minus = f()
        flat[k] = v
        gflat[k] = (c_plus - c_minus) / (2 * h)
    return g


def gradcheck(
    net: Network,
    X: ArrayLike,
    Y: ArrayLike,
    h: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    input_gradient: bool = True,
) -> GradcheckReport:
    """Compare dWl, dBl (and dX) from backward with central finite differences of C.

    Returns a report that is truthy when every matrix matches; ``print(report)`` shows a
    table. ``net`` itself is not changed: the check runs on a float64 copy.
    """
    net64 = net.astype("float64")
    Xc, Yc, scale = net64.check(X, Y)
    net64.loss_and_gradient(Xc, Yc, scale)
    G = net64.G.copy()

    def cost() -> float:
        net64.propagate(Xc)
        return net64.last_cost(Yc, scale)

    G_num = _numeric(cost, net64.P, h)
    checks = []
    for layer, (g_W, g_B), (n_W, n_B) in zip(
        net64.layers,
        parameters.views(G, net64.sizes),
        parameters.views(G_num, net64.sizes),
        strict=True,
    ):
        checks.append(_compare(f"dW{layer.index}", g_W, n_W, rtol, atol))
        checks.append(_compare(f"dB{layer.index}", g_B, n_B, rtol, atol))
    if input_gradient:
        net64.propagate(Xc)
        dX = net64.backpropagate(Yc, scale, need_dX=True)
        assert dX is not None
        checks.append(_compare("dX", dX, _numeric(cost, Xc, h), rtol, atol))
    return GradcheckReport(checks, h, rtol, atol)
