"""``glassnet bench``: speed against PyTorch and scikit-learn (the runner is glassnet.bench)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(sub: Any) -> None:
    from glassnet import bench

    p = sub.add_parser(
        "bench",
        help="time training and inference against PyTorch and scikit-learn",
        description="Train the configurations of docs/benchmarks.md with glassnet, PyTorch and "
        "scikit-learn, each in its own process, interleaved over rounds; print median times, "
        "median per-round speed-ups, GFLOP/s and the digits accuracy. Same as "
        "`python -m benchmarks` in the repository.",
    )
    bench.add_arguments(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from glassnet import bench

    return bench.run(args)
