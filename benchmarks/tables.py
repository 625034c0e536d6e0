"""``python -m benchmarks.tables [--rows 300000] [--rounds 3]``: a big CSV end to end.

Writes a CSV of ``rows`` × 31 (30 numbers with six decimals and a text label) to a temporary
folder, then, in a fresh process each, interleaved over ``rounds``:

- ``pandas``: ``pandas.read_csv(path)`` alone;
- ``prepare``: glassnet's reading and preparing (``glassnet.tables.training.prepare``: read,
  roles, split, encode to float32);
- ``train``: the whole ``glassnet train PATH --target label --out M --epochs 1 --quiet``.

Reports wall and CPU seconds (median over rounds; the CPU time is the steadier figure on a
shared machine), the median per-round ratio prepare / pandas, and each process's peak
memory (ru_maxrss) against the file's size. Targets (issue 10): ratio ≤ 2, train's peak ≤ 4×
the file. Never part of the tests; the file is deleted afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

CHILD = {
    "pandas": "import pandas as pd\nstart()\npd.read_csv(PATH)\n",
    "prepare": (
        "import pandas\nfrom glassnet.tables.training import prepare\n"
        "start()\nprepare(PATH, 'label')\n"
    ),
    "train": (
        "from glassnet.cli import main\nstart()\n"
        "assert main(['train', PATH, '--target', 'label', '--out', OUT, '--epochs', '1', "
        "'--quiet']) == 0\n"
    ),
}
PROLOGUE = """
import json, resource, sys, time
PATH, OUT = sys.argv[1], sys.argv[2]
clock = {}
def start():
    clock["wall"], clock["cpu"] = time.perf_counter(), time.process_time()
"""
EPILOGUE = """
wall, cpu = time.perf_counter() - clock["wall"], time.process_time() - clock["cpu"]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print("RESULT", json.dumps({"wall": wall, "cpu": cpu, "peak": peak}))
"""


def write_csv(path: Path, rows: int, seed: int = 0) -> None:
    """rows × (x0..x29, label): label a/b/c from a linear score of the numbers."""
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(30)
    with path.open("w") as f:
        f.write(",".join([f"x{i}" for i in range(30)] + ["label"]) + "\n")
        for start in range(0, rows, 50_000):
            X = rng.standard_normal((min(50_000, rows - start), 30))
            label = np.array(["a", "b", "c"])[np.digitize(X @ w, [-2.0, 2.0])]
            lines = np.char.add(np.array([",".join(f"{v:.6f}" for v in row) for row in X]), ",")
            f.write("\n".join(np.char.add(lines, label).tolist()) + "\n")


def run(kind: str, path: Path, out: Path) -> dict[str, float]:
    code = PROLOGUE + CHILD[kind] + EPILOGUE
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    r = subprocess.run(
        [sys.executable, "-c", code, str(path), str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    line = [x for x in r.stdout.splitlines() if x.startswith("RESULT ")]
    if r.returncode or not line:
        raise SystemExit(f"{kind} failed: {r.stderr.strip().splitlines()[-1:]}")
    return dict(json.loads(line[0][7:]))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.tables", description=__doc__)
    p.add_argument("--rows", type=int, default=300_000)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path, out = Path(tmp) / "big.csv", Path(tmp) / "big.safetensors"
        write_csv(path, args.rows)
        size = path.stat().st_size
        results: dict[str, list[dict[str, float]]] = {k: [] for k in CHILD}
        for _ in range(args.rounds):
            for kind in CHILD:
                results[kind].append(run(kind, path, out))
    cpu = [p["cpu"] / q["cpu"] for p, q in zip(results["prepare"], results["pandas"], strict=True)]
    wall = [
        p["wall"] / q["wall"] for p, q in zip(results["prepare"], results["pandas"], strict=True)
    ]
    print(f"file: {args.rows} rows × 31 columns, {size / 2**20:.1f} MiB; {args.rounds} rounds")
    for kind, rs in results.items():
        print(
            f"{kind:>8}: wall {statistics.median(r['wall'] for r in rs):6.2f} s  "
            f"cpu {statistics.median(r['cpu'] for r in rs):6.2f} s  "
            f"peak {max(r['peak'] for r in rs) / 2**20:6.0f} MiB "
            f"({max(r['peak'] for r in rs) / size:.2f}× the file)"
        )
    print(
        f"prepare / pandas.read_csv: cpu {statistics.median(cpu):.2f}× "
        f"(rounds {', '.join(f'{r:.2f}' for r in cpu)}), wall {statistics.median(wall):.2f}× "
        f"(rounds {', '.join(f'{r:.2f}' for r in wall)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
