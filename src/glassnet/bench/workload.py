"""What every system runs in the benchmark: the data, the drop-in fit, and how a run is
timed (the fastest of its repeats)."""

from __future__ import annotations

import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from glassnet.bench.configs import ROWS, SIZES

# small: every system first trains a throwaway model for one epoch on this many rows, as
# medium and large warm up, so that its seconds per epoch leave out once-per-process costs
# (glassnet's first fit imports its training modules, ~35 ms; PyTorch's first step sets up
# autograd and the fused Adam)
WARM_ROWS = 256


def fastest(run: Callable[[], Any], repeats: int) -> tuple[float, list[float]]:
    """The fastest of ``repeats`` timed calls of ``run``, and all of them: noise on a shared
    machine only ever slows a run down, so the fastest is the least disturbed (as timeit)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times), times


def synthetic(config: str, seed: int = 0) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Random float32 rows and integer labels: speed does not depend on the values."""
    rng = np.random.default_rng(seed)
    n, i, o = ROWS[config], SIZES[config][0], SIZES[config][-1]
    X = rng.standard_normal((n, i), dtype=np.float32)
    y = rng.integers(0, o, size=n)
    return X, y


def digits() -> tuple[np.ndarray[Any, Any], ...]:
    import glassnet as gn

    X_train, X_test, y_train, y_test = gn.datasets.load_digits()
    return (
        X_train.astype(np.float32),
        X_test.astype(np.float32),
        y_train.astype(np.int64),
        y_test.astype(np.int64),
    )


def seed_data() -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    import glassnet as gn

    _, X, Y = gn.datasets.seed_example("float32")
    return X, Y


def median_time(f: Callable[[], Any], calls: int) -> float:
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def dropin(module: Any, fits: int) -> dict[str, Any]:
    """MLPClassifier() with default settings on digits in float64: the fastest of ``fits``
    fits (each of a new estimator, same seed, so the same model), and its test accuracy."""
    import glassnet as gn

    X_train, X_test, y_train, y_test = gn.datasets.load_digits()  # float64
    est = module.MLPClassifier(random_state=0)

    def fit() -> None:
        nonlocal est
        est = module.MLPClassifier(random_state=0)
        est.fit(X_train, y_train)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning
        seconds, times = fastest(fit, fits)
    accuracy = float(np.mean(est.predict(X_test) == y_test))
    return {"value": seconds, "fits": times, "accuracy": accuracy, "n_iter": est.n_iter_}
