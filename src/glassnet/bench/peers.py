"""The peers' runs of each configuration: PyTorch, scikit-learn and onnxruntime, each as
its users write it (see docs/benchmarks.md, "What is measured")."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from glassnet.bench.configs import BATCH, SIZES, SMALL_EPOCHS
from glassnet.bench.workload import (
    WARM_ROWS,
    digits,
    dropin,
    fastest,
    median_time,
    seed_data,
    synthetic,
)

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


def pytorch(config: str, opts: dict[str, Any]) -> dict[str, Any]:
    import torch

    torch.set_num_threads(opts["peer_threads"])
    torch.manual_seed(opts["seed"])
    if config == "tiny":
        X, Y = (torch.from_numpy(a) for a in seed_data())  # tensors
        model = _torch_model(SIZES[config], output_relu=True)
        opt: Any = torch.optim.SGD(model.parameters(), lr=0.01)
        loss_fn: Any = torch.nn.MSELoss(reduction="sum")
        _torch_train(model, opt, loss_fn, X, Y, 100, 3)
        steps = opts["steps"]
        seconds, _ = fastest(
            lambda: _torch_train(model, opt, loss_fn, X, Y, steps, 3), opts["fits"]
        )
        return {"value": seconds / steps * 1e6}
    model = _torch_model(SIZES[config])
    if config == "small":
        X_train, X_test, y_train, y_test = digits()
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

        seconds, times = fastest(fit, opts["fits"])
        with torch.inference_mode():
            pred: Any = model(torch.from_numpy(X_test)).argmax(dim=1).numpy()
        accuracy = float(np.mean(pred == y_test))
        return {"value": seconds / SMALL_EPOCHS, "fits": times, "accuracy": accuracy}
    Xn, yn = synthetic(config)
    Xt, yt = torch.from_numpy(Xn), torch.from_numpy(yn)
    if config == "inference":
        model.eval()

        def predict() -> Any:
            with torch.inference_mode():
                return model(Xt).argmax(dim=1).numpy()

        predict()
        return {"value": median_time(predict, opts["calls"]) * 1e3}
    bs = BATCH[config]
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    loss_fn = torch.nn.CrossEntropyLoss()
    _torch_train(model, opt, loss_fn, Xt[: 8 * bs], yt[: 8 * bs], 1, bs)
    seconds, times = fastest(
        lambda: _torch_train(model, opt, loss_fn, Xt, yt, 1, bs), opts["epochs"]
    )
    return {"value": seconds, "epochs": times}


# ---- scikit-learn: MLPClassifier, float32 input, one partial_fit per epoch -----------------


def sklearn(config: str, opts: dict[str, Any]) -> dict[str, Any]:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(opts["peer_threads"], user_api="blas"):
        return _sklearn_run(config, opts)


def _sklearn_run(config: str, opts: dict[str, Any]) -> dict[str, Any]:
    from sklearn import neural_network
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    if config == "dropin":
        return dropin(neural_network, opts["fits"])

    hidden = tuple(SIZES[config][1:-1])
    seed = opts["seed"]
    if config == "tiny":
        X, Y = seed_data()
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

        seconds, _ = fastest(train, opts["fits"])
        return {"value": seconds / steps * 1e6}
    classes = np.arange(SIZES[config][-1])
    if config == "small":
        X_train, X_test, y_train, y_test = digits()

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

        seconds, times = fastest(fit, opts["fits"])
        accuracy = float(np.mean(clf.predict(X_test) == y_test))
        return {"value": seconds / SMALL_EPOCHS, "fits": times, "accuracy": accuracy}
    X, y = synthetic(config)
    bs = BATCH.get(config, 128)
    clf = MLPClassifier(
        hidden_layer_sizes=hidden, alpha=0.0, batch_size=bs, learning_rate_init=1e-3
    )
    clf.partial_fit(X[: 8 * bs], y[: 8 * bs], classes=classes)
    if config == "inference":
        return {"value": median_time(lambda: clf.predict(X), opts["calls"]) * 1e3}
    seconds, times = fastest(lambda: clf.partial_fit(X, y), opts["epochs"])
    return {"value": seconds, "epochs": times}


# ---- onnxruntime: the same network exported to ONNX -----------------------------------------


def onnxruntime(config: str, opts: dict[str, Any]) -> dict[str, Any]:
    import onnxruntime as ort

    import glassnet as gn

    net = gn.Network(SIZES[config], loss="cross_entropy", seed=opts["seed"])
    so = ort.SessionOptions()
    so.intra_op_num_threads = opts["peer_threads"]
    with tempfile.TemporaryDirectory() as folder:  # the network through glassnet's exporter
        path = gn.export_onnx(net, Path(folder) / "net.onnx")
        session = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    X, _ = synthetic(config)
    label = session.run(None, {"X": X})[0].argmax(axis=1)  # probabilities -> classes
    agree = float(np.mean(label == net.predict(X)))
    value = median_time(lambda: session.run(None, {"X": X}), opts["calls"]) * 1e3
    return {"value": value, "agreement": agree}
