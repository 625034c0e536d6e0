"""Each system's run of one configuration, in its own worker process (see glassnet.bench)."""

from __future__ import annotations

import itertools
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from glassnet.bench import probe
from glassnet.bench.configs import BATCH, ROWS, SIZES, SMALL_EPOCHS

# small: every system first trains a throwaway model for one epoch on this many rows, as
# medium and large warm up, so that its seconds per epoch leave out once-per-process costs
# (glassnet's first fit imports its training modules, ~35 ms; PyTorch's first step sets up
# autograd and the fused Adam)
WARM_ROWS = 256


def _fastest(run: Callable[[], Any], repeats: int) -> tuple[float, list[float]]:
    """The fastest of ``repeats`` timed calls of ``run``, and all of them: noise on a shared
    machine only ever slows a run down, so the fastest is the least disturbed (as timeit)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times), times


def _synthetic(config: str, seed: int = 0) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Random float32 rows and integer labels: speed does not depend on the values."""
    rng = np.random.default_rng(seed)
    n, i, o = ROWS[config], SIZES[config][0], SIZES[config][-1]
    X = rng.standard_normal((n, i), dtype=np.float32)
    y = rng.integers(0, o, size=n)
    return X, y


def _digits() -> tuple[np.ndarray[Any, Any], ...]:
    import glassnet as gn

    X_train, X_test, y_train, y_test = gn.datasets.load_digits()
    return (
        X_train.astype(np.float32),
        X_test.astype(np.float32),
        y_train.astype(np.int64),
        y_test.astype(np.int64),
    )


def _seed_data() -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    import glassnet as gn

    _, X, Y = gn.datasets.seed_example("float32")
    return X, Y


# ---- glassnet -----------------------------------------------------------------------------


def _dropin(module: Any, fits: int) -> dict[str, Any]:
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
        seconds, times = _fastest(fit, fits)
    accuracy = float(np.mean(est.predict(X_test) == y_test))
    return {"value": seconds, "fits": times, "accuracy": accuracy, "n_iter": est.n_iter_}


def _glassnet(config: str, opts: dict[str, Any]) -> dict[str, Any]:
    import glassnet as gn

    if config == "dropin":
        import glassnet.sklearn

        return _dropin(glassnet.sklearn, opts["fits"])

    if config == "tiny":
        net, X, Y = gn.datasets.seed_example("float32")
        net.fit(X, Y, epochs=100, batch_size=3, optimizer=gn.SGD(0.01), verbose=False)
        steps = opts["steps"]
        seconds, _ = _fastest(
            lambda: net.fit(X, Y, epochs=steps, batch_size=3, optimizer=gn.SGD(0.01), verbose=False),
            opts["fits"],
        )  # fmt: skip
        return {"value": seconds / steps * 1e6}
    if config == "small":
        X_train, X_test, y_train, y_test = _digits()
        warm = gn.Network(SIZES[config], loss="cross_entropy", seed=opts["seed"])
        warm.fit(X_train[:WARM_ROWS], y_train[:WARM_ROWS], epochs=1, batch_size=32)
        net = warm

        def fit() -> None:  # a new network each time, same seed: the same model
            nonlocal net
            net = gn.Network(SIZES[config], loss="cross_entropy", seed=opts["seed"])
            net.fit(X_train, y_train, epochs=SMALL_EPOCHS, batch_size=32, learning_rate=1e-3)

        seconds, times = _fastest(fit, opts["fits"])
        accuracy = float(np.mean(net.predict(X_test) == y_test))
        return {"value": seconds / SMALL_EPOCHS, "fits": times, "accuracy": accuracy}
    X, y = _synthetic(config)
    net = gn.Network(SIZES[config], loss="cross_entropy", seed=opts["seed"])
    if config == "inference":
        net.predict(X)
        return {"value": _median_time(lambda: net.predict(X), opts["calls"]) * 1e3}
    bs = BATCH[config]
    net.fit(X[: 8 * bs], y[: 8 * bs], epochs=1, batch_size=bs)  # warm up BLAS and buffers
    ends = [time.perf_counter()]  # one fit of all the epochs; a callback stamps each end
    h = net.fit(
        X, y, epochs=opts["epochs"], batch_size=bs,
        callbacks=[lambda net, history: ends.append(time.perf_counter())],
    )  # fmt: skip
    times = [b - a for a, b in itertools.pairwise(ends)]
    return {"value": min(times), "epochs": times, "blas_threads": h.blas_threads}


# ---- PyTorch: nn.Sequential, an index-shuffle loop, fused Adam -----------------------------


def _torch_model(sizes: Sequence[int], output_relu: bool = False) -> Any:
    import torch

    layers: list[Any] = []
    for k, (i, o) in enumerate(itertools.pairwise(sizes)):
        layers.append(torch.nn.Linear(i, o))
        if k < len(sizes) - 2 or output_relu:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def _torch_train(
    model: Any, opt: Any, loss_fn: Any, X: Any, Y: Any, epochs: int, bs: int
) -> float:
    """The idiomatic loop: shuffle indices, gather a batch, forward, loss, backward, step."""
    import torch

    n = X.shape[0]
    total = 0.0
    for _ in range(epochs):
        perm = torch.randperm(n)
        for start in range(0, n, bs):
            idx = perm[start : start + bs]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(X[idx]), Y[idx])
            loss.backward()
            opt.step()
            total += loss.item()
    return total


def _pytorch(config: str, opts: dict[str, Any]) -> dict[str, Any]:
    import torch

    torch.set_num_threads(opts["peer_threads"])
    torch.manual_seed(opts["seed"])
    if config == "tiny":
        X, Y = (torch.from_numpy(a) for a in _seed_data())  # tensors
        model = _torch_model(SIZES[config], output_relu=True)
        opt: Any = torch.optim.SGD(model.parameters(), lr=0.01)
        loss_fn: Any = torch.nn.MSELoss(reduction="sum")
        _torch_train(model, opt, loss_fn, X, Y, 100, 3)
        steps = opts["steps"]
        seconds, _ = _fastest(
            lambda: _torch_train(model, opt, loss_fn, X, Y, steps, 3), opts["fits"]
        )
        return {"value": seconds / steps * 1e6}
    model = _torch_model(SIZES[config])
    if config == "small":
        X_train, X_test, y_train, y_test = _digits()
        Xt, yt = torch.from_numpy(X_train), torch.from_numpy(y_train)
        warm = _torch_model(SIZES[config])
        warm_opt = torch.optim.Adam(warm.parameters(), lr=1e-3, fused=True)
        loss_fn = torch.nn.CrossEntropyLoss()
        _torch_train(warm, warm_opt, loss_fn, Xt[:WARM_ROWS], yt[:WARM_ROWS], 1, 32)

        def fit() -> None:  # a new model each time, the same seed: the same model
            nonlocal model
            torch.manual_seed(opts["seed"])
            model = _torch_model(SIZES[config])
            opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
            _torch_train(model, opt, loss_fn, Xt, yt, SMALL_EPOCHS, 32)

        seconds, times = _fastest(fit, opts["fits"])
        with torch.inference_mode():
            pred: Any = model(torch.from_numpy(X_test)).argmax(dim=1).numpy()
        accuracy = float(np.mean(pred == y_test))
        return {"value": seconds / SMALL_EPOCHS, "fits": times, "accuracy": accuracy}
    Xn, yn = _synthetic(config)
    Xt, yt = torch.from_numpy(Xn), torch.from_numpy(yn)
    if config == "inference":
        model.eval()

        def predict() -> Any:
            with torch.inference_mode():
                return model(Xt).argmax(dim=1).numpy()

        predict()
        return {"value": _median_time(predict, opts["calls"]) * 1e3}
    bs = BATCH[config]
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    loss_fn = torch.nn.CrossEntropyLoss()
    _torch_train(model, opt, loss_fn, Xt[: 8 * bs], yt[: 8 * bs], 1, bs)
    seconds, times = _fastest(
        lambda: _torch_train(model, opt, loss_fn, Xt, yt, 1, bs), opts["epochs"]
    )
    return {"value": seconds, "epochs": times}


# ---- scikit-learn: MLPClassifier, float32 input, one partial_fit per epoch -----------------


def _sklearn(config: str, opts: dict[str, Any]) -> dict[str, Any]:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(opts["peer_threads"], user_api="blas"):
        return _sklearn_run(config, opts)


def _sklearn_run(config: str, opts: dict[str, Any]) -> dict[str, Any]:
    from sklearn import neural_network
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    if config == "dropin":
        return _dropin(neural_network, opts["fits"])

    hidden = tuple(SIZES[config][1:-1])
    seed = opts["seed"]
    if config == "tiny":
        X, Y = _seed_data()
        reg = MLPRegressor(
            hidden_layer_sizes=hidden, solver="sgd", learning_rate_init=0.01, momentum=0.0, alpha=0.0,
            batch_size=3, random_state=seed,
        )  # fmt: skip
        for _ in range(100):
            reg.partial_fit(X, Y)
        steps = max(1, opts["steps"] // 4)  # ~1 ms a step: fewer steps give the same median

        def train() -> None:
            for _ in range(steps):
                reg.partial_fit(X, Y)

        seconds, _ = _fastest(train, opts["fits"])
        return {"value": seconds / steps * 1e6}
    classes = np.arange(SIZES[config][-1])
    if config == "small":
        X_train, X_test, y_train, y_test = _digits()

        def make() -> Any:
            return MLPClassifier(
                hidden_layer_sizes=hidden,
                alpha=0.0,
                batch_size=32,
                learning_rate_init=1e-3,
                random_state=seed,
            )

        clf = make()
        clf.partial_fit(X_train[:WARM_ROWS], y_train[:WARM_ROWS], classes=classes)

        def fit() -> None:  # a new estimator each time, same seed: the same model
            nonlocal clf
            clf = make()
            for _ in range(SMALL_EPOCHS):
                clf.partial_fit(X_train, y_train, classes=classes)

        seconds, times = _fastest(fit, opts["fits"])
        accuracy = float(np.mean(clf.predict(X_test) == y_test))
        return {"value": seconds / SMALL_EPOCHS, "fits": times, "accuracy": accuracy}
    X, y = _synthetic(config)
    bs = BATCH.get(config, 128)
    clf = MLPClassifier(
        hidden_layer_sizes=hidden, alpha=0.0, batch_size=bs, learning_rate_init=1e-3
    )
    clf.partial_fit(X[: 8 * bs], y[: 8 * bs], classes=classes)
    if config == "inference":
        return {"value": _median_time(lambda: clf.predict(X), opts["calls"]) * 1e3}
    seconds, times = _fastest(lambda: clf.partial_fit(X, y), opts["epochs"])
    return {"value": seconds, "epochs": times}


# ---- onnxruntime: the same network exported to ONNX -----------------------------------------


def _onnxruntime(config: str, opts: dict[str, Any]) -> dict[str, Any]:
    import onnxruntime as ort

    import glassnet as gn

    net = gn.Network(SIZES[config], loss="cross_entropy", seed=opts["seed"])
    so = ort.SessionOptions()
    so.intra_op_num_threads = opts["peer_threads"]
    with tempfile.TemporaryDirectory() as folder:  # the network through glassnet's exporter
        path = gn.export_onnx(net, Path(folder) / "net.onnx")
        session = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    X, _ = _synthetic(config)
    label = session.run(None, {"X": X})[0].argmax(axis=1)  # probabilities -> classes
    agree = float(np.mean(label == net.predict(X)))
    value = _median_time(lambda: session.run(None, {"X": X}), opts["calls"]) * 1e3
    return {"value": value, "agreement": agree}


# ---- the worker process -------------------------------------------------------------------


def _median_time(f: Callable[[], Any], calls: int) -> float:
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _gemm(config: str, opts: dict[str, Any]) -> dict[str, Any]:
    return probe.gemm_bound(SIZES[config], ROWS[config], BATCH[config], opts["epochs"])


RUNNERS: dict[str, Callable[[str, dict[str, Any]], dict[str, Any]]] = {
    "glassnet": _glassnet,
    "pytorch": _pytorch,
    "sklearn": _sklearn,
    "onnxruntime": _onnxruntime,
    "gemm": _gemm,
}
