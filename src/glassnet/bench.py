"""Speed against PyTorch and scikit-learn: the configurations of BENCHMARKS.md, side by side.

``python -m benchmarks`` (from the repository) and ``glassnet bench`` both run :func:`main`.
Each system trains each configuration in its own fresh process, the systems take turns
within every round (interleaved, in a rotating order), and the table gives the median time
and the median of the per-round speed-ups, so that a noisy, shared machine slows every
system alike. Peers that are not installed are reported as missing.

Configurations (BENCHMARKS.md):

- ``tiny``: the seed's 1 → 2 → 2 network (ReLU, ReLU, MSE), its 3 samples as one batch,
  SGD 0.01: µs per training step, through ``net.fit(..., verbose=False)``.
- ``small``: 64 → 64 → 10 on scikit-learn's digits, batch 32, Adam 1e-3, 50 epochs in one
  fit: s per epoch and test accuracy.
- ``medium``: 784 → 256 → 128 → 10, batch 128, 60,000 × 784 synthetic rows, Adam: s/epoch.
- ``large``: 2048 → 2048 → 2048 → 10, batch 512, 16,384 × 2048 synthetic rows: s/epoch.
- ``inference``: ``predict`` on 10,000 rows with the medium network: ms per call.

Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

SYSTEMS = ("glassnet", "pytorch", "sklearn", "onnxruntime")
CONFIGS = ("tiny", "small", "medium", "large", "inference")
DEFAULT_CONFIGS = ("tiny", "small", "medium", "inference")
FMA_PEAK = 198.0  # GFLOP/s, float32, both cores: BENCHMARKS.md's hand-written AVX2 loop

# Which systems take part in which configuration (sklearn has no inference target, but its
# number is cheap and informative; onnxruntime only runs inference).
PARTICIPANTS = {
    "tiny": ("glassnet", "pytorch", "sklearn"),
    "small": ("glassnet", "pytorch", "sklearn"),
    "medium": ("glassnet", "pytorch", "sklearn"),
    "large": ("glassnet", "pytorch", "sklearn"),
    "inference": ("glassnet", "pytorch", "onnxruntime", "sklearn"),
}
SIZES = {
    "tiny": [1, 2, 2],
    "small": [64, 64, 10],
    "medium": [784, 256, 128, 10],
    "large": [2048, 2048, 2048, 10],
    "inference": [784, 256, 128, 10],
}
ROWS = {"medium": 60_000, "large": 16_384, "inference": 10_000}
BATCH = {"tiny": 3, "small": 32, "medium": 128, "large": 512}
UNITS = {"tiny": "µs/step", "small": "s/epoch", "medium": "s/epoch", "large": "s/epoch"}
UNITS["inference"] = "ms/call"
SMALL_EPOCHS = 50


def train_flops(sizes: Sequence[int], n: int) -> float:
    """FLOPs of one epoch over n rows: 2·n·fan_in·fan_out per matmul; forward and dW for the
    first layer, forward, dW and dX for the others (BENCHMARKS.md)."""
    pairs = list(itertools.pairwise(sizes))
    return sum(2.0 * n * i * o * (2 if k == 0 else 3) for k, (i, o) in enumerate(pairs))


# ---- data ---------------------------------------------------------------------------------


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


def _glassnet(config: str, opts: dict[str, Any]) -> dict[str, Any]:
    import glassnet as gn

    if config == "tiny":
        net, X, Y = gn.datasets.seed_example("float32")
        net.fit(X, Y, epochs=100, batch_size=3, optimizer=gn.SGD(0.01), verbose=False)
        steps = opts["steps"]
        start = time.perf_counter()
        net.fit(X, Y, epochs=steps, batch_size=3, optimizer=gn.SGD(0.01), verbose=False)
        return {"value": (time.perf_counter() - start) / steps * 1e6}
    if config == "small":
        X_train, X_test, y_train, y_test = _digits()
        net = gn.Network(SIZES[config], loss="cross_entropy", seed=opts["seed"])
        start = time.perf_counter()
        net.fit(X_train, y_train, epochs=SMALL_EPOCHS, batch_size=32, learning_rate=1e-3)
        seconds = time.perf_counter() - start
        accuracy = float(np.mean(net.predict(X_test) == y_test))
        return {"value": seconds / SMALL_EPOCHS, "accuracy": accuracy}
    X, y = _synthetic(config)
    net = gn.Network(SIZES[config], loss="cross_entropy", seed=opts["seed"])
    if config == "inference":
        net.predict(X)
        return {"value": _median_time(lambda: net.predict(X), opts["calls"]) * 1e3}
    bs = BATCH[config]
    net.fit(X[: 8 * bs], y[: 8 * bs], epochs=1, batch_size=bs)  # warm up BLAS and buffers
    start = time.perf_counter()
    h = net.fit(X, y, epochs=opts["epochs"], batch_size=bs)
    seconds = (time.perf_counter() - start) / opts["epochs"]
    return {"value": seconds, "blas_threads": h.blas_threads}  # fit's choice: 1 or all


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
        start = time.perf_counter()
        _torch_train(model, opt, loss_fn, X, Y, steps, 3)
        return {"value": (time.perf_counter() - start) / steps * 1e6}
    model = _torch_model(SIZES[config])
    if config == "small":
        X_train, X_test, y_train, y_test = _digits()
        Xt, yt = torch.from_numpy(X_train), torch.from_numpy(y_train)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
        start = time.perf_counter()
        _torch_train(model, opt, torch.nn.CrossEntropyLoss(), Xt, yt, SMALL_EPOCHS, 32)
        seconds = time.perf_counter() - start
        with torch.inference_mode():
            pred: Any = model(torch.from_numpy(X_test)).argmax(dim=1).numpy()
        return {"value": seconds / SMALL_EPOCHS, "accuracy": float(np.mean(pred == y_test))}
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
    start = time.perf_counter()
    _torch_train(model, opt, loss_fn, Xt, yt, opts["epochs"], bs)
    return {"value": (time.perf_counter() - start) / opts["epochs"]}


# ---- scikit-learn: MLPClassifier, float32 input, one partial_fit per epoch -----------------


def _sklearn(config: str, opts: dict[str, Any]) -> dict[str, Any]:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(opts["peer_threads"], user_api="blas"):
        return _sklearn_run(config, opts)


def _sklearn_run(config: str, opts: dict[str, Any]) -> dict[str, Any]:
    from sklearn.neural_network import MLPClassifier, MLPRegressor

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
        start = time.perf_counter()
        for _ in range(steps):
            reg.partial_fit(X, Y)
        return {"value": (time.perf_counter() - start) / steps * 1e6}
    classes = np.arange(SIZES[config][-1])
    if config == "small":
        X_train, X_test, y_train, y_test = _digits()
        clf = MLPClassifier(
            hidden_layer_sizes=hidden,
            alpha=0.0,
            batch_size=32,
            learning_rate_init=1e-3,
            random_state=seed,
        )
        start = time.perf_counter()
        for _ in range(SMALL_EPOCHS):
            clf.partial_fit(X_train, y_train, classes=classes)
        seconds = time.perf_counter() - start
        accuracy = float(np.mean(clf.predict(X_test) == y_test))
        return {"value": seconds / SMALL_EPOCHS, "accuracy": accuracy}
    X, y = _synthetic(config)
    bs = BATCH.get(config, 128)
    clf = MLPClassifier(
        hidden_layer_sizes=hidden, alpha=0.0, batch_size=bs, learning_rate_init=1e-3
    )
    clf.partial_fit(X[: 8 * bs], y[: 8 * bs], classes=classes)
    if config == "inference":
        return {"value": _median_time(lambda: clf.predict(X), opts["calls"]) * 1e3}
    start = time.perf_counter()
    for _ in range(opts["epochs"]):
        clf.partial_fit(X, y)
    return {"value": (time.perf_counter() - start) / opts["epochs"]}


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


def _sgemm(opts: dict[str, Any]) -> dict[str, Any]:
    """The best float32 matmul rate NumPy reaches here (2048² @ 2048², best of 5), with all
    BLAS threads and with one."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((2048, 2048), dtype=np.float32) for _ in range(2))
    c = np.empty_like(a)
    rates = {}
    for name, threads in (("all_threads", None), ("one_thread", 1)):
        with threadpool_limits(threads, user_api="blas"):
            np.matmul(a, b, out=c)
            best = min(_time_once(lambda: np.matmul(a, b, out=c)) for _ in range(5))
        rates[name] = 2 * 2048**3 / best / 1e9
    return {"value": max(rates.values()), **rates}


def _time_once(f: Callable[[], Any]) -> float:
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


RUNNERS: dict[str, Callable[[str, dict[str, Any]], dict[str, Any]]] = {
    "glassnet": _glassnet,
    "pytorch": _pytorch,
    "sklearn": _sklearn,
    "onnxruntime": _onnxruntime,
}
MODULES = {"pytorch": "torch", "sklearn": "sklearn", "onnxruntime": "onnxruntime"}


def worker(system: str, config: str, opts: dict[str, Any]) -> dict[str, Any]:
    """Run one system on one configuration in this process; a JSON-able result."""
    if system == "sgemm":
        return _sgemm(opts)
    module = MODULES.get(system)
    if module:
        try:
            __import__(module)
        except ImportError:
            return {"missing": f"{module} is not installed"}
    result = RUNNERS[system](config, opts)
    if system == "glassnet":
        from threadpoolctl import threadpool_info

        result["threadpools"] = threadpool_info()
    return result


def _spawn(system: str, config: str, opts: dict[str, Any], timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "glassnet.bench", "--worker", system, config, json.dumps(opts)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {done.returncode}: {last}"}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# ---- the report ---------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """What the numbers were measured on: CPU, cores, load, and the library versions."""
    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count()),
        "numpy": np.__version__,
    }
    from glassnet._version import __version__

    info["glassnet"] = __version__
    for name, module in (("torch", "torch"), ("scikit-learn", "sklearn"), ("onnxruntime", "onnxruntime")):  # fmt: skip
        info[name] = _version_of(module)
    if hasattr(os, "getloadavg"):
        info["load average"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return info


def _version_of(module: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    dist = {"sklearn": "scikit-learn"}.get(module, module)
    try:
        return version(dist)
    except PackageNotFoundError:
        return "missing"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _fmt(value: float, unit: str) -> str:
    if unit == "µs/step":
        return f"{value:,.1f} µs/step"
    if unit == "ms/call":
        return f"{value:,.2f} ms/call"
    return f"{value:.4f} s/epoch"


def table(results: dict[str, dict[str, list[dict[str, Any]]]], sgemm: float | None) -> str:
    """A markdown table: median time, median per-round speed-up of glassnet, GFLOP/s."""
    rows = [
        (
            "| config | system | median | glassnet's speed-up (median of rounds) | GFLOP/s "
            "| % of sgemm | % of FMA peak | accuracy |"
        ),
        "|---|---|---|---|---|---|---|---|",
    ]
    for config, by_system in results.items():
        unit = UNITS[config]
        ours = [r.get("value") for r in by_system.get("glassnet", [])]
        for system, runs in by_system.items():
            values = [r["value"] for r in runs if "value" in r]
            if not values:
                why = next((r.get("missing") or r.get("error") for r in runs), "no result")
                rows.append(f"| {config} | {system} | {why} | | | | | |")
                continue
            med = statistics.median(values)
            ratio = ""
            if system != "glassnet":
                per_round = [
                    r["value"] / g
                    for r, g in zip(runs, ours, strict=False)
                    if "value" in r and g is not None
                ]
                if per_round:
                    ratio = f"{statistics.median(per_round):.2f}×"
            gflops = pct_sgemm = pct_peak = ""
            if config in ("medium", "large"):
                rate = train_flops(SIZES[config], ROWS[config]) / med / 1e9
                gflops = f"{rate:.1f}"
                pct_peak = f"{100 * rate / FMA_PEAK:.0f}%"
                if sgemm:
                    pct_sgemm = f"{100 * rate / sgemm:.0f}%"
            accs = [r["accuracy"] for r in runs if "accuracy" in r]
            acc = f"{statistics.median(accs):.4f}" if accs else ""
            rows.append(
                f"| {config} | {system} | {_fmt(med, unit)} | {ratio} | {gflops} "
                f"| {pct_sgemm} | {pct_peak} | {acc} |"
            )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark suite (see the module docstring); print the table."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--configs",
        default=",".join(DEFAULT_CONFIGS),
        help=f"comma-separated, from {', '.join(CONFIGS)} (default {','.join(DEFAULT_CONFIGS)})",
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument(
        "--systems", default=",".join(SYSTEMS), help="comma-separated (default: all)"
    )
    parser.add_argument("--epochs", type=int, default=1, help="timed epochs, medium and large")
    parser.add_argument("--steps", type=int, default=3000, help="timed steps for tiny")
    parser.add_argument("--calls", type=int, default=20, help="predict calls for inference")
    parser.add_argument(
        "--peer-threads",
        type=int,
        default=2,
        help="threads of PyTorch, of scikit-learn's BLAS and of onnxruntime (default 2); "
        "glassnet chooses its own",
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds per process")
    parser.add_argument("--json", metavar="PATH", help="also write every result to PATH")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    if args.worker:
        system, config, opts = args.worker
        print(json.dumps(worker(system, config, json.loads(opts))))
        return 0
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    for name, allowed, what in ((configs, CONFIGS, "config"), (systems, SYSTEMS, "system")):
        bad = [x for x in name if x not in allowed]
        if bad:
            raise ValueError(f"unknown {what} {bad[0]!r}: use {', '.join(allowed)}")
    if min(args.rounds, args.epochs, args.steps, args.calls, args.peer_threads) < 1:
        raise ValueError(
            "--rounds, --epochs, --steps, --calls and --peer-threads must be positive"
        )
    opts = {
        "epochs": args.epochs,
        "steps": args.steps,
        "calls": args.calls,
        "peer_threads": args.peer_threads,
    }
    info = machine()
    info["peer threads"] = str(args.peer_threads)
    for key, value in info.items():
        print(f"{key:>13}: {value}")
    results: dict[str, dict[str, list[dict[str, Any]]]] = {c: {} for c in configs}
    sgemms: list[dict[str, Any]] = []
    for r in range(args.rounds):
        rates = _spawn("sgemm", "", opts, args.timeout)  # each round: the load changes
        sgemms.append(rates)
        if "value" in rates:
            print(
                f"round {r + 1} sgemm: {rates['all_threads']:.1f} GFLOP/s with all BLAS "
                f"threads, {rates['one_thread']:.1f} with one (2048² float32 through NumPy)"
            )
        for config in configs:
            who = [s for s in PARTICIPANTS[config] if s in systems]
            order = who[r % len(who) :] + who[: r % len(who)]  # rotate who goes first
            for system in order:
                res = _spawn(system, config, {**opts, "seed": r}, args.timeout)
                results[config].setdefault(system, []).append(res)
                shown = _fmt(res["value"], UNITS[config]) if "value" in res else str(res)
                if "blas_threads" in res:
                    shown += f" (BLAS threads: {res['blas_threads'] or 'all'})"
                print(f"round {r + 1} {config:>9} {system:>11}: {shown}", flush=True)
        for config in configs:  # keep glassnet first in the table
            by = results[config]
            results[config] = {s: by[s] for s in sorted(by, key=lambda s: s != "glassnet")}
    sgemm = max((g["value"] for g in sgemms if "value" in g), default=None)
    print(f"\nbest sgemm rate of the rounds: {sgemm or 0:.1f} GFLOP/s (the % of sgemm column)")
    print(table(results, sgemm))
    pools = next(
        (r["threadpools"] for c in results.values() for r in c.get("glassnet", []) if "threadpools" in r),
        None,
    )  # fmt: skip
    print(
        f"\nthreadpoolctl.threadpool_info() in a glassnet worker:\n{json.dumps(pools, indent=1)}"
    )
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"machine": info, "sgemm": sgemms, "results": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
