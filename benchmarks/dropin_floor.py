"""The drop-in's floor: a hand-written NumPy loop of the same fit, against both libraries.

``glassnet.sklearn.MLPClassifier()`` on digits (float64, default settings: hidden 100,
adam, batch 200, 200 epochs) does five float64 products a step and a few dozen NumPy calls
around them. This script writes that fit out by hand with nothing else (no history, no
training accuracy, no checks, no stopping rule: it runs all ``--epochs``), on one BLAS
thread as the drop-in's fit runs, and times it alternately with glassnet's and
scikit-learn's fits in one process. Its ratio to scikit-learn is about the best any loop of
NumPy calls can do on this CPU (docs/benchmarks.md, run 32). Nothing here asserts anything.

    python benchmarks/dropin_floor.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
import warnings
from collections.abc import Callable

import numpy as np
from sklearn import neural_network as sk
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

import glassnet as gn
from glassnet import sklearn as gs
from glassnet._typing import Array
from glassnet.bench.probe import cpu, describe

HIDDEN, BATCH, LR, ALPHA = 100, 200, 1e-3, 1e-4
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8


def lean_fit(X: Array, y: Array, epochs: int, seed: int = 0) -> tuple[Array, list[float]]:
    """Z1 = X·W1 + B1, A1 = max(Z1, 0), O = softmax(A1·W2 + B2); E2 = (O − Y)/n,
    E1 = E2·W2ᵀ ∘ (Z1 > 0), dW = Aᵀ·E, dB = 1ᵀ·E, dW += α/n·W; scikit-learn's Adam on the
    flat P. Returns P (W1, B1, W2, B2 in one vector) and each epoch's mean cost."""
    n, i = X.shape
    k = int(y.max()) + 1
    Y = np.eye(k)[y]
    rng = np.random.default_rng(seed)
    sizes = [(i, HIDDEN), (HIDDEN, k)]
    P = np.concatenate(
        [rng.uniform(-r, r, a * b + b) for a, b in sizes for r in [np.sqrt(6 / (a + b))]]
    )
    G, M, V, T = (np.zeros_like(P) for _ in range(4))
    views = []
    start = 0
    for a, b in sizes:
        W = slice(start, start + a * b)
        B = slice(start + a * b, start + a * b + b)
        views.append((P[W].reshape(a, b), P[B], G[W].reshape(a, b), G[B]))
        start += a * b + b
    (W1, B1, dW1, dB1), (W2, B2, dW2, dB2) = views
    buffers: dict[int, list[Array]] = {}
    t = 0
    losses: list[float] = []
    for _ in range(epochs):
        order = rng.permutation(n)
        loss = 0.0
        for s in range(0, n, BATCH):
            idx = order[s : s + BATCH]
            m = len(idx)
            if m not in buffers:
                shapes = [(m, i), (m, k), (m, HIDDEN), (m, HIDDEN), (m, k), (m, HIDDEN)]
                buffers[m] = [np.empty(shape) for shape in shapes] + [np.ones(m)]
            Xb, Yb, Z1, A1, O, E1, ones = buffers[m]
            X.take(idx, axis=0, out=Xb, mode="clip")
            Y.take(idx, axis=0, out=Yb, mode="clip")
            np.dot(Xb, W1, out=Z1)
            Z1 += B1
            np.maximum(Z1, 0.0, out=A1)
            np.dot(A1, W2, out=O)
            O += B2
            S = O.T.copy()  # softmax on the transposed copy: whole-row reductions
            S -= S.max(axis=0)
            np.exp(S, out=S)
            S /= S.sum(axis=0)
            O[...] = S.T
            C = -np.vdot(Yb, np.log(O)) / m  # the cost, which scikit-learn's tol rule needs
            C += ALPHA / (2 * m) * (np.vdot(W1, W1) + np.vdot(W2, W2))
            loss += C * m
            O -= Yb  # E2 = (O − Y) / m
            O *= 1.0 / m
            np.dot(A1.T, O, out=dW2)
            np.dot(ones, O, out=dB2)
            np.dot(O, W2.T, out=E1)
            E1 *= Z1 > 0
            np.dot(Xb.T, E1, out=dW1)
            np.dot(ones, E1, out=dB1)
            dW1 += (ALPHA / m) * W1
            dW2 += (ALPHA / m) * W2
            t += 1  # scikit-learn's Adam: lr·√(1−β2^t)/(1−β1^t) · M / (√V + eps)
            M *= BETA1
            np.multiply(G, 1 - BETA1, out=T)
            M += T
            V *= BETA2
            np.multiply(G, G, out=T)
            T *= 1 - BETA2
            V += T
            np.sqrt(V, out=T)
            T += EPS
            np.divide(M, T, out=T)
            T *= LR * np.sqrt(1 - BETA2**t) / (1 - BETA1**t)
            P -= T
        losses.append(loss / n)
    return P, losses


def lean_accuracy(P: Array, X: Array, y: Array) -> float:
    """Share of rows whose argmax of O = softmax(max(X·W1 + B1, 0)·W2 + B2) is y."""
    i, k = X.shape[1], int(y.max()) + 1
    W1 = P[: i * HIDDEN].reshape(i, HIDDEN)
    B1 = P[i * HIDDEN : (i + 1) * HIDDEN]
    rest = P[(i + 1) * HIDDEN :]
    W2, B2 = rest[: HIDDEN * k].reshape(HIDDEN, k), rest[HIDDEN * k :]
    Z2 = np.maximum(X @ W1 + B1, 0) @ W2 + B2  # (softmax keeps the argmax)
    return float(np.mean(Z2.argmax(axis=1) == y))


def _time(fit: Callable[[], object]) -> float:
    start = time.perf_counter()
    fit()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=200, help="scikit-learn's max_iter")
    args = parser.parse_args()
    X, X_test, y, y_test = gn.datasets.load_digits()
    X = np.ascontiguousarray(X, dtype=np.float64)
    warnings.simplefilter("ignore", ConvergenceWarning)
    fits: dict[str, Callable[[], object]] = {
        "lean NumPy": lambda: lean_fit(X, y, args.epochs),
        "glassnet": lambda: gs.MLPClassifier(random_state=0, max_iter=args.epochs).fit(X, y),
        "sklearn": lambda: sk.MLPClassifier(random_state=0, max_iter=args.epochs).fit(X, y),
    }
    times: dict[str, list[float]] = {name: [] for name in fits}
    print(f"cpu: {describe(cpu())}")
    with threadpool_limits(1):
        accuracy = lean_accuracy(lean_fit(X, y, args.epochs)[0], X_test, y_test)
    print(f"lean NumPy fit: test accuracy {accuracy:.4f} (a check that it trains)")
    for r in range(args.rounds):
        for name in fits if r % 2 == 0 else reversed(fits):
            # one BLAS thread for the bare loop, as the drop-in's fit runs these products
            limit = threadpool_limits(1) if name == "lean NumPy" else contextlib.nullcontext()
            with limit:
                times[name].append(_time(fits[name]))
    base = statistics.median(times["sklearn"])
    for name, t in times.items():
        med = statistics.median(t)
        print(
            f"{name:>11}: {med:.3f} s a fit (min {min(t):.3f}); scikit-learn / it {base / med:.2f}×"
        )


if __name__ == "__main__":
    main()
