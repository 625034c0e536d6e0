"""Where a medium step's time goes: each piece timed in the training loop, and alone.

The medium benchmark (784 → 256 → 128 → 10, batch 128, 60,000 synthetic rows, Adam; 469
steps an epoch) is held to an epoch within 1.3× of NumPy's GEMM-only bound. This script fits
it as the benchmark does, with a timer around each piece of every step (the batch gather, the
forward pass, the cost, the backward pass, the compiled elementwise kernels inside those
passes, the optimizer step, the training accuracy), then times the same pieces alone on the
same shapes, hot in cache, and prints both per step beside the bound. The timers cost ~0.3 µs
a piece. Nothing here asserts anything (docs/benchmarks.md, "Where a medium step goes").

    python benchmarks/medium_profile.py [--epochs 3]
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

import glassnet as gn
from glassnet import kernels
from glassnet._typing import Array
from glassnet.bench.configs import BATCH, ROWS, SIZES
from glassnet.bench.probe import cpu, describe, gemm_bound
from glassnet.bench.workload import synthetic
from glassnet.network import Network
from glassnet.optimizers import Optimizer
from glassnet.training.loop import _Loop

STEPS = -(-ROWS["medium"] // BATCH["medium"])  # 469, the last batch short
# (piece, the object whose method is timed, the method): what each step runs, in order
PIECES: list[tuple[str, Any, str]] = [
    ("batch gather Xb = X[idx], Yb = Y[idx]", _Loop, "_batch"),
    ("forward pass: products + elementwise", Network, "propagate"),
    ("cost C", Network, "last_cost"),
    ("backward pass: E, products, dB", Network, "backpropagate"),
    ("optimizer step (Adam)", Optimizer, "step"),
    ("training accuracy", _Loop, "_hits"),
]


def timed(spent: dict[str, float], key: str, f: Callable[..., Any]) -> Callable[..., Any]:
    """f, adding the seconds of each call to spent[key]."""

    def run(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return f(*args, **kwargs)
        finally:
            spent[key] += time.perf_counter() - start

    return run


def in_the_loop(X: Array, y: Array, epochs: int) -> tuple[dict[str, float], list[float], Network]:
    """One fit of ``epochs`` epochs on the medium rows X, y with every piece timed: µs a step
    of each, the epochs' seconds, and the trained network."""
    bs = BATCH["medium"]
    net = gn.Network(SIZES["medium"], loss="cross_entropy", seed=0)
    net.fit(X[: 8 * bs], y[: 8 * bs], epochs=1, batch_size=bs)  # warm up, as the benchmark
    spent: dict[str, float] = defaultdict(float)
    originals = [(owner, name, getattr(owner, name)) for _, owner, name in PIECES]
    ew = kernels.for_layer()
    if ew is not None:  # the fused kernels inside the passes, looked up on each call
        originals += [(ew, name, getattr(ew, name)) for name in ("forward", "backward")]
    try:
        for owner, name, f in originals:
            setattr(owner, name, timed(spent, name, f))
        ends = [time.perf_counter()]
        net.fit(
            X, y, epochs=epochs, batch_size=bs,
            callbacks=[lambda net, history: ends.append(time.perf_counter())],
        )  # fmt: skip
    finally:
        for owner, name, f in originals:
            setattr(owner, name, f)
    per_step = {name: seconds / (epochs * STEPS) * 1e6 for name, seconds in spent.items()}
    return per_step, list(np.diff(ends)), net


def _median_us(f: Callable[[], Any], repeats: int = 300) -> float:
    f()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e6


def alone(net: Network, X: Array, y: Array) -> dict[str, float]:
    """µs of each piece alone, on the shapes of a medium step, its inputs hot in cache
    (the gather's rows excepted: a fresh random batch each time, as in the loop). The
    products alone are the GEMM-only bound (``glassnet.bench.probe.gemm_bound``)."""
    rng = np.random.default_rng(1)
    Y = np.eye(10, dtype=X.dtype)[y]
    n = BATCH["medium"]
    Xb, Yb = np.empty((n, X.shape[1]), X.dtype), np.empty((n, 10), X.dtype)

    def gather() -> None:
        idx = rng.integers(0, len(X), n)
        X.take(idx, axis=0, out=Xb, mode="clip")
        Y.take(idx, axis=0, out=Yb, mode="clip")

    layers = net.layers
    opt = gn.Adam(1e-3)
    P, G = net.P.copy(), rng.standard_normal(net.P.size).astype(X.dtype) * 1e-3
    result = {"_batch": _median_us(gather), "step": _median_us(lambda: opt.step(P, G))}
    ew = kernels.for_layer()
    if ew is not None:
        Z = [rng.standard_normal((n, layer.fan_out), dtype=X.dtype) for layer in layers]
        out = [np.empty_like(z) for z in Z]
        dB = [np.empty((1, layer.fan_out), X.dtype) for layer in layers]

        def forward_kernels() -> None:
            for layer, z, a in zip(layers, Z, out, strict=True):
                ew.forward(layer.activation, z, layer.B, a)

        dA = [rng.standard_normal(z.shape, dtype=X.dtype) for z in Z]
        E = [np.empty_like(z) for z in Z]

        def backward_kernels() -> None:  # (the output layer's E is the loss's: no kernel)
            for l, layer in enumerate(layers[:-1]):
                ew.backward(layer.activation, dA[l], Z[l], out[l], E[l], dB[l])

        result["forward"] = _median_us(forward_kernels)
        result["backward"] = _median_us(backward_kernels)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    print(f"cpu: {describe(cpu())}")
    X, y = synthetic("medium")
    loop, epochs, net = in_the_loop(X, y, args.epochs)
    epoch = min(epochs)
    lone = alone(net, X, y)
    bound = gemm_bound(SIZES["medium"], ROWS["medium"], BATCH["medium"])["value"]
    step = epoch / STEPS * 1e6
    print(f"fastest epoch {epoch:.3f} s = {step:.0f} µs a step; GEMM-only bound {bound:.3f} s")
    print(f"epoch / bound {epoch / bound:.2f} (target ≤ 1.3)\n")
    print(f"{'piece (µs a step)':<42}{'in the loop':>12}{'alone':>9}")
    rows = [(label, name) for label, _, name in PIECES]
    rows.insert(2, ("  of which the elementwise kernels", "forward"))
    rows.insert(5, ("  of which the elementwise kernels", "backward"))
    for label, name in rows:
        inside = f"{loop[name]:.0f}" if name in loop else "-"
        by_itself = f"{lone[name]:.0f}" if name in lone else "-"
        print(f"{label:<42}{inside:>12}{by_itself:>9}")
    label = "the products of both passes, alone (the bound)"
    print(f"{label:<42}{'':>12}{bound / STEPS * 1e6:>9.0f}")
    mean_step = sum(epochs) / (len(epochs) * STEPS) * 1e6  # (the timers sum all epochs)
    rest = mean_step - sum(loop[name] for _, _, name in PIECES)
    print(f"{'the rest of the loop':<42}{rest:>12.0f}")
    floor = bound + (lone["step"] + lone["_batch"]) * STEPS / 1e6
    print(
        f"\nthe bound plus Adam and the gather alone: {floor:.3f} s, "
        f"{floor / bound:.2f}× the bound (no elementwise work, no Python)"
    )


if __name__ == "__main__":
    main()
