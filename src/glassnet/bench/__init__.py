"""Speed against PyTorch and scikit-learn, side by side, on a machine the run measures.

``python -m benchmarks`` (from the repository) and ``glassnet bench`` both run :func:`main`.
Each system trains each configuration in its own fresh process, the systems take turns
within every round (interleaved, in a rotating order), and the table gives the median time
and the median of the per-round speed-ups, so that a noisy, shared machine slows every
system alike. Within a process, every system's fastest of ``--epochs`` epochs (medium,
large, and the GEMM-only bound) or of ``--fits`` fits (tiny, small, dropin) counts: noise
only ever slows a run down. Peers that are not installed are reported as missing.

The run first reads the CPU (model, AVX2 / AVX-512, cores) and, in every round, measures
what the machine can do: an FMA loop and NumPy's sgemm rate (``glassnet.bench.machine``);
for medium and large the ``gemm`` row is the epoch's products alone (forward, dW and dX,
same shapes, NumPy), the GEMM-only bound. No figure is fixed in advance.

Configurations (``glassnet.bench.configs``):

- ``tiny``: the seed's 1 → 2 → 2 network (ReLU, ReLU, MSE), its 3 samples as one batch,
  SGD 0.01: µs per training step, through ``net.fit(..., verbose=False)``.
- ``small``: 64 → 64 → 10 on scikit-learn's digits, batch 32, Adam 1e-3, 50 epochs in one
  fit: s per epoch and test accuracy.
- ``medium``: 784 → 256 → 128 → 10, batch 128, 60,000 × 784 synthetic rows, Adam: s/epoch.
- ``large``: 2048 → 2048 → 2048 → 10, batch 512, 16,384 × 2048 synthetic rows: s/epoch.
- ``inference``: ``predict`` on 10,000 rows with the medium network: ms per call.
- ``dropin``: ``glassnet.sklearn.MLPClassifier()`` against scikit-learn's, default settings,
  on digits in float64: s per fit and test accuracy.

Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from glassnet.bench import probe
from glassnet.bench.configs import (
    BATCH,
    CONFIGS,
    DEFAULT_CONFIGS,
    GEMM_TARGETS,
    PARTICIPANTS,
    ROWS,
    SIZES,
    SMALL_EPOCHS,
    SYSTEMS,
    TARGETS,
    UNITS,
    train_flops,
)

__all__ = [
    "BATCH",
    "CONFIGS",
    "ROWS",
    "SIZES",
    "SMALL_EPOCHS",
    "UNITS",
    "add_arguments",
    "main",
    "run",
    "table",
    "targets",
    "train_flops",
]
MODULES = {"pytorch": "torch", "sklearn": "sklearn", "onnxruntime": "onnxruntime"}
Results = dict[str, dict[str, list[dict[str, Any]]]]


def worker(system: str, config: str, opts: dict[str, Any]) -> dict[str, Any]:
    """Run one system on one configuration in this process; a JSON-able result."""
    if system == "sgemm":
        return probe.sgemm_rate()
    if system == "fma":
        return probe.fma_rate()
    module = MODULES.get(system)
    if module:
        try:
            __import__(module)
        except ImportError:
            return {"missing": f"{module} is not installed"}
    from glassnet.bench.runners import RUNNERS

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
    """What the numbers were measured on: CPU, its kind, cores, load, library versions."""
    cpu = probe.cpu()
    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": probe.describe(cpu),
        "cpu kind": probe.kind(cpu),
        "numpy": np.__version__,
        "numpy's blas": probe.blas(),
        "mkl": probe.mkl(),
    }
    from glassnet._version import __version__

    info["glassnet"] = __version__
    for name, module in (("torch", "torch"), ("scikit-learn", "sklearn"), ("numba", "numba")):
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


def _fmt(value: float, unit: str) -> str:
    if unit == "µs/step":
        return f"{value:,.1f} µs/step"
    if unit == "ms/call":
        return f"{value:,.2f} ms/call"
    if unit == "s/fit":
        return f"{value:.3f} s/fit"
    return f"{value:.4f} s/epoch"


def _per_round(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> list[float]:
    """Peer time / glassnet time, round by round (rounds where both have a value)."""
    return [
        t["value"] / g["value"]
        for t, g in zip(theirs, ours, strict=False)
        if "value" in t and "value" in g
    ]


def table(results: Results, sgemm: float | None, peak: float | None = None) -> str:
    """A markdown table: median time, median per-round speed-up of glassnet, GFLOP/s, and
    the share of the sgemm rate and of the peak (both measured in the run)."""
    rows = [
        (
            "| config | system | median | glassnet's speed-up (median of rounds) | GFLOP/s "
            "| % of sgemm | % of FMA peak | accuracy |"
        ),
        "|---|---|---|---|---|---|---|---|",
    ]
    for config, by_system in results.items():
        unit = UNITS[config]
        ours = by_system.get("glassnet", [])
        for system, runs in by_system.items():
            values = [r["value"] for r in runs if "value" in r]
            if not values:
                why = next((r.get("missing") or r.get("error") for r in runs), "no result")
                rows.append(f"| {config} | {system} | {why} | | | | | |")
                continue
            med = statistics.median(values)
            per_round = _per_round(ours, runs) if system != "glassnet" else []
            ratio = f"{statistics.median(per_round):.2f}×" if per_round else ""
            gflops = pct_sgemm = pct_peak = ""
            if config in ("medium", "large"):
                rate = train_flops(SIZES[config], ROWS[config]) / med / 1e9
                gflops = f"{rate:.1f}"
                pct_sgemm = f"{100 * rate / sgemm:.0f}%" if sgemm else ""
                pct_peak = f"{100 * rate / peak:.0f}%" if peak else ""
            accs = [r["accuracy"] for r in runs if "accuracy" in r]
            acc = f"{statistics.median(accs):.4f}" if accs else ""
            name = "gemm (products only)" if system == "gemm" else system
            rows.append(
                f"| {config} | {name} | {_fmt(med, unit)} | {ratio} | {gflops} "
                f"| {pct_sgemm} | {pct_peak} | {acc} |"
            )
    return "\n".join(rows)


def targets(results: Results) -> list[str]:
    """One line per target of the engine issue: the measured median ratio and whether it
    holds (for medium and large also the epoch against its GEMM-only bound)."""
    lines = []
    for (config, peer), goal in TARGETS.items():
        by = results.get(config, {})
        per_round = _per_round(by.get("glassnet", []), by.get(peer, []))
        if not per_round:
            continue
        got = statistics.median(per_round)
        line = f"{config} vs {peer}: {got:.2f}× (target ≥ {goal}×)"
        ok = got >= goal
        if config in GEMM_TARGETS and peer == "pytorch":
            bound = [1 / r for r in _per_round(by.get("glassnet", []), by.get("gemm", []))]
            if bound:
                factor = statistics.median(bound)
                within = factor <= GEMM_TARGETS[config]
                line += f"; epoch / GEMM-only bound {factor:.2f} (target ≤ {GEMM_TARGETS[config]})"
                ok = ok or within
        if config == "dropin":
            accs = {s: statistics.median(r["accuracy"] for r in by[s] if "accuracy" in r)
                    for s in ("glassnet", peer) if by.get(s)}  # fmt: skip
            if len(accs) == 2:
                gap = 100 * (accs[peer] - accs["glassnet"])
                line += f"; accuracy {accs['glassnet']:.4f} vs {accs[peer]:.4f}"
                ok = ok and gap <= 1.0
        lines.append(f"{'holds' if ok else 'MISSED'}: {line}")
    return lines


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
    parser.add_argument(
        "--epochs",
        type=int,
        default=3,
        help="timed epochs of medium and large per process, the fastest counts (default 3)",
    )
    parser.add_argument(
        "--fits",
        type=int,
        default=3,
        help="timed fits of tiny (--steps steps each), small and dropin per process, the "
        "fastest counts (default 3)",
    )
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


def _check(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    for name, allowed, what in ((configs, CONFIGS, "config"), (systems, SYSTEMS, "system")):
        bad = [x for x in name if x not in allowed]
        if bad:
            raise ValueError(f"unknown {what} {bad[0]!r}: use {', '.join(allowed)}")
    if min(args.rounds, args.epochs, args.fits, args.steps, args.calls, args.peer_threads) < 1:
        raise ValueError(
            "--rounds, --epochs, --fits, --steps, --calls and --peer-threads must be positive"
        )
    return configs, systems


def _probe(r: int, opts: dict[str, Any], timeout: float) -> dict[str, dict[str, Any]]:
    """The machine's rates in this round (the load changes between rounds)."""
    rates = {name: _spawn(name, "", opts, timeout) for name in ("sgemm", "fma")}
    for name, what in (("sgemm", "2048² float32 through NumPy"), ("fma", "an FMA loop")):
        got = rates[name]
        if "value" in got:
            print(
                f"round {r + 1} {name}: {got['all_threads']:.1f} GFLOP/s on all threads, "
                f"{got['one_thread']:.1f} on one ({what})"
            )
        else:
            print(f"round {r + 1} {name}: {got}")
    return rates


def run(args: argparse.Namespace) -> int:
    if args.worker:
        system, config, opts = args.worker
        print(json.dumps(worker(system, config, json.loads(opts))))
        return 0
    configs, systems = _check(args)
    opts = {k: getattr(args, k) for k in ("epochs", "fits", "steps", "calls", "peer_threads")}
    info = machine()
    info["peer threads"] = str(args.peer_threads)
    for key, value in info.items():
        print(f"{key:>13}: {value}")
    results: Results = {c: {} for c in configs}
    probes: list[dict[str, dict[str, Any]]] = []
    for r in range(args.rounds):
        probes.append(_probe(r, opts, args.timeout))
        for config in configs:
            who = [s for s in PARTICIPANTS[config] if s in systems]
            order = who[r % len(who) :] + who[: r % len(who)]  # rotate who goes first
            for system in order:
                res = _spawn(system, config, {**opts, "seed": r}, args.timeout)
                results[config].setdefault(system, []).append(res)
                shown = _fmt(res["value"], UNITS[config]) if "value" in res else str(res)
                if "blas_threads" in res:
                    shown += f" (BLAS threads: {res['blas_threads'] or 'all'}"
                    shown += f", gemm: {res['gemm']})" if "gemm" in res else ")"
                if "accuracy" in res:
                    shown += f" (accuracy {res['accuracy']:.4f})"
                if system == "gemm" and "mkl" in res:
                    shown += f" (MKL: {_fmt(res['mkl'], UNITS[config])})"
                print(f"round {r + 1} {config:>9} {system:>11}: {shown}", flush=True)
        for config in configs:  # keep glassnet first in the table
            by = results[config]
            results[config] = {s: by[s] for s in sorted(by, key=lambda s: s != "glassnet")}
    best = {
        name: max((p[name]["value"] for p in probes if "value" in p[name]), default=None)
        for name in ("sgemm", "fma")
    }
    sgemm = best["sgemm"]
    # the true FMA peak is at least what any measured loop reached, sgemm included
    peak = max((v for v in best.values() if v), default=None)
    print(
        f"\nbest rates of the rounds: sgemm {sgemm or 0:.1f} GFLOP/s, FMA loop "
        f"{best['fma'] or 0:.1f} GFLOP/s; the % of FMA peak column divides by the larger, "
        f"{peak or 0:.1f} (a measured lower bound of the peak)"
    )
    print(table(results, sgemm, peak))
    mkl_bounds = {
        c: statistics.median(r["mkl"] for r in by["gemm"] if "mkl" in r)
        for c, by in results.items()
        if any("mkl" in r for r in by.get("gemm", []))
    }
    if mkl_bounds:
        shown = ", ".join(f"{c} {_fmt(v, UNITS[c])}" for c, v in mkl_bounds.items())
        print(f"\nthe same products on MKL (glassnet[mkl]), median: {shown}")
    print("\nTargets (median of per-round ratios):")
    print("\n".join(targets(results)) or "none measured")
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
            json.dump({"machine": info, "probes": probes, "results": results}, f, indent=1)
    return 0
