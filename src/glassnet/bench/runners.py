"""Each system's run of one configuration, in its own worker process (see glassnet.bench):
glassnet's here, the peers' in ``glassnet.bench.peers``."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from glassnet.bench import peers, probe
from glassnet.bench.configs import BATCH, ROWS, SIZES, SMALL_EPOCHS
from glassnet.bench.workload import WARM_ROWS, digits, dropin, fastest, median_time, synthetic


def _glassnet(config: str, opts: dict[str, Any]) -> dict[str, Any]:
    import glassnet as gn

    if config == "dropin":
        import glassnet.sklearn

        return dropin(glassnet.sklearn, opts["fits"])

    if config == "tiny":
        net, X, Y = gn.datasets.seed_example("float32")
        net.fit(X, Y, epochs=100, batch_size=3, optimizer=gn.SGD(0.01), verbose=False)
        steps = opts["steps"]
        seconds, _ = fastest(
            lambda: net.fit(X, Y, epochs=steps, batch_size=3, optimizer=gn.SGD(0.01), verbose=False),
            opts["fits"],
        )  # fmt: skip
        return {"value": seconds / steps * 1e6}
    if config == "small":
        X_train, X_test, y_train, y_test = digits()
        warm = gn.Network(SIZES[config], loss="cross_entropy", seed=opts["seed"])
        warm.fit(X_train[:WARM_ROWS], y_train[:WARM_ROWS], epochs=1, batch_size=32)
        net = warm

        def fit() -> None:  # a new network each time, same seed: the same model
            nonlocal net
            net = gn.Network(SIZES[config], loss="cross_entropy", seed=opts["seed"])
            net.fit(X_train, y_train, epochs=SMALL_EPOCHS, batch_size=32, learning_rate=1e-3)

        seconds, times = fastest(fit, opts["fits"])
        accuracy = float(np.mean(net.predict(X_test) == y_test))
        return {"value": seconds / SMALL_EPOCHS, "fits": times, "accuracy": accuracy}
    X, y = synthetic(config)
    net = gn.Network(SIZES[config], loss="cross_entropy", seed=opts["seed"])
    if config == "inference":
        net.predict(X)
        return {"value": median_time(lambda: net.predict(X), opts["calls"]) * 1e3}
    bs = BATCH[config]
    net.fit(X[: 8 * bs], y[: 8 * bs], epochs=1, batch_size=bs)  # warm up BLAS and buffers
    ends = [time.perf_counter()]  # one fit of all the epochs; a callback stamps each end
    h = net.fit(
        X, y, epochs=opts["epochs"], batch_size=bs,
        callbacks=[lambda net, history: ends.append(time.perf_counter())],
    )  # fmt: skip
    times = [b - a for a, b in itertools.pairwise(ends)]
    return {"value": min(times), "epochs": times, "blas_threads": h.blas_threads, "gemm": h.gemm}


def _gemm(config: str, opts: dict[str, Any]) -> dict[str, Any]:
    """NumPy's GEMM-only bound (the value), and MKL's beside it where glassnet[mkl] is here."""
    from glassnet.kernels import mkl

    shape = SIZES[config], ROWS[config], BATCH[config], opts["epochs"]
    bound = probe.gemm_bound(*shape)
    if mkl.available():
        bound["mkl"] = probe.gemm_bound(*shape, dot=mkl.dot)["value"]
    return bound


RUNNERS: dict[str, Callable[[str, dict[str, Any]], dict[str, Any]]] = {
    "glassnet": _glassnet,
    "pytorch": peers.pytorch,
    "sklearn": peers.sklearn,
    "onnxruntime": peers.onnxruntime,
    "gemm": _gemm,
}
