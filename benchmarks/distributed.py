"""Data-parallel training over MPI against one process, on the medium configuration.

    python benchmarks/distributed.py [--rounds 5] [--ranks 2]

Medium: 784 → 256 → 128 → 10 (ReLU, softmax + cross-entropy), batch 128, 60,000 × 784
synthetic float32 rows, Adam 1e-3, one epoch. Compared, each in its own process and
interleaved over the rounds: one process with ``ranks`` BLAS threads, ``mpiexec -n ranks``
with ``distributed="mpi"`` (which sets 1 BLAS thread per rank when ranks = cores), and, for
reference, one process with 1 thread. Reported:
seconds per epoch (median), the median of the per-round ratios, and the Allreduce's share of
the distributed step: the time inside ``DataParallel.reduce`` (the Allreduce, including any
wait for the slower rank), and the same number of Allreduces timed alone.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

SIZES = [784, 256, 128, 10]
N, BATCH = 60_000, 128


def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)  # speed does not depend on the values
    return rng.standard_normal((N, SIZES[0]), dtype=np.float32), rng.integers(0, 10, N)


def worker(mode: str, threads: int) -> None:
    """One timed epoch; prints one JSON line (rank 0 only under MPI)."""
    from threadpoolctl import threadpool_limits

    import glassnet as gn
    from glassnet import distributed

    X, y = data()
    net = gn.Network(SIZES, loss="cross_entropy", dtype="float32", seed=0)
    result: dict[str, float] = {}
    if mode == "single":
        with threadpool_limits(limits=threads):
            t0 = time.perf_counter()
            net.fit(X, y, epochs=1, batch_size=BATCH, learning_rate=1e-3)
            result["epoch_s"] = time.perf_counter() - t0
        print(json.dumps(result), flush=True)
        return

    reduce_s = [0.0]
    original = distributed.DataParallel.reduce

    def timed(self: distributed.DataParallel, G: np.ndarray, C: float, hits: float):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        out = original(self, G, C, hits)
        reduce_s[0] += time.perf_counter() - t
        return out

    distributed.DataParallel.reduce = timed  # type: ignore[method-assign]
    comm = distributed.world()
    comm.Barrier()
    t0 = time.perf_counter()
    net.fit(X, y, epochs=1, batch_size=BATCH, learning_rate=1e-3, distributed="mpi")
    epoch_s = time.perf_counter() - t0
    # the same number of Allreduces of the same vector, alone (no compute to wait for)
    from mpi4py import MPI

    steps = -(-N // BATCH)
    G = np.zeros(net.n_params, dtype=np.float32)
    comm.Barrier()
    t1 = time.perf_counter()
    for _ in range(steps):
        comm.Allreduce(MPI.IN_PLACE, G, op=MPI.SUM)
    alone_s = time.perf_counter() - t1
    if distributed.is_root():
        result = {
            "epoch_s": epoch_s,
            "reduce_s": reduce_s[0],
            "allreduce_alone_s": alone_s,
            "steps": steps,
            "params": net.n_params,
        }
        print(json.dumps(result), flush=True)


def run(cmd: list[str]) -> dict[str, float]:
    done = subprocess.run(
        cmd, check=True, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--worker", choices=["single", "mpi"], help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.threads)
        return
    python, me = sys.executable, str(Path(__file__).resolve())
    mpiexec = str(Path(python).parent / "mpiexec")
    single = [python, me, "--worker", "single", "--threads", str(args.ranks)]
    mpi = [mpiexec, "-n", str(args.ranks), python, me, "--worker", "mpi"]
    single1 = [python, me, "--worker", "single", "--threads", "1"]
    print(f"uptime before: {os.getloadavg()} (1/5/15-min load), {os.cpu_count()} cores")
    print(
        f"medium: {SIZES}, batch {BATCH}, {N} x {SIZES[0]} float32, Adam 1e-3, one epoch; "
        f"1 process x {args.ranks} threads vs {args.ranks} ranks x 1 thread"
    )
    rows, ones = [], []
    for r in range(args.rounds):
        a = run(single) if r % 2 == 0 else None
        b = run(mpi)
        a = a or run(single)  # alternate which goes first
        c = run(single1)
        rows.append((a, b))
        ones.append(c["epoch_s"])
        print(
            f"round {r + 1}: 1 process x {args.ranks} threads {a['epoch_s']:.3f} s, {args.ranks} "
            f"ranks {b['epoch_s']:.3f} s (ratio {a['epoch_s'] / b['epoch_s']:.2f}x), 1 process "
            f"x 1 thread {c['epoch_s']:.3f} s; Allreduce "
            f"{b['reduce_s']:.3f} s in fit ({100 * b['reduce_s'] / b['epoch_s']:.1f}%), "
            f"{b['allreduce_alone_s']:.3f} s alone",
            flush=True,
        )
    one = statistics.median(a["epoch_s"] for a, _ in rows)
    many = statistics.median(b["epoch_s"] for _, b in rows)
    ratio = statistics.median(a["epoch_s"] / b["epoch_s"] for a, b in rows)
    share = statistics.median(b["reduce_s"] / b["epoch_s"] for _, b in rows)
    alone = statistics.median(b["allreduce_alone_s"] / b["epoch_s"] for _, b in rows)
    steps, params = rows[0][1]["steps"], rows[0][1]["params"]
    print(
        f"median s/epoch: 1 process x {args.ranks} threads {one:.3f}, {args.ranks} ranks "
        f"{many:.3f} ({1000 * many / rows[0][1]['steps']:.2f} ms/step), 1 process x 1 thread "
        f"{statistics.median(ones):.3f}"
    )
    print(f"median speed-up of {args.ranks} ranks over 1 process: {ratio:.2f}x")
    print(
        f"Allreduce of {params} float32 x {steps} steps: {100 * share:.1f}% of the distributed "
        f"epoch inside fit (incl. waiting for the slower rank), {100 * alone:.1f}% timed alone"
    )
    print(f"uptime after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
