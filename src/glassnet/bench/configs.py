"""The benchmark configurations (docs/benchmarks.md), their peers and units."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

SYSTEMS = ("glassnet", "pytorch", "sklearn", "onnxruntime", "gemm")
CONFIGS = ("tiny", "small", "medium", "large", "inference", "dropin")
DEFAULT_CONFIGS = ("tiny", "small", "medium", "inference", "dropin")

# Which systems take part in which configuration (sklearn has no inference target, but its
# number is cheap and informative; onnxruntime only runs inference; "gemm" is the GEMM-only
# bound of the epoch: its products alone, same shapes, NumPy).
PARTICIPANTS = {
    "tiny": ("glassnet", "pytorch", "sklearn"),
    "small": ("glassnet", "pytorch", "sklearn"),
    "medium": ("glassnet", "pytorch", "sklearn", "gemm"),
    "large": ("glassnet", "pytorch", "sklearn", "gemm"),
    "inference": ("glassnet", "pytorch", "onnxruntime", "sklearn"),
    "dropin": ("glassnet", "sklearn"),
}
SIZES = {
    "tiny": [1, 2, 2],
    "small": [64, 64, 10],
    "medium": [784, 256, 128, 10],
    "large": [2048, 2048, 2048, 10],
    "inference": [784, 256, 128, 10],
    "dropin": [64, 100, 10],  # scikit-learn's default hidden_layer_sizes=(100,) on digits
}
ROWS = {"medium": 60_000, "large": 16_384, "inference": 10_000}
BATCH = {"tiny": 3, "small": 32, "medium": 128, "large": 512}
UNITS = {"tiny": "µs/step", "small": "s/epoch", "medium": "s/epoch", "large": "s/epoch"}
UNITS["inference"] = "ms/call"
UNITS["dropin"] = "s/fit"
SMALL_EPOCHS = 50

# The targets of the engine issue: (config, peer) -> glassnet's speed-up at least; for medium
# and large, the alternative where NumPy's BLAS is the limit: glassnet's epoch within this
# factor of the GEMM-only bound.
TARGETS = {
    ("tiny", "pytorch"): 8.0,
    ("small", "pytorch"): 5.0,
    ("small", "sklearn"): 4.0,
    ("medium", "pytorch"): 1.5,
    ("medium", "sklearn"): 3.0,
    ("large", "pytorch"): 1.1,
    ("dropin", "sklearn"): 2.0,
}
GEMM_TARGETS = {"medium": 1.3, "large": 1.1}


def train_flops(sizes: Sequence[int], n: int) -> float:
    """FLOPs of one epoch over n rows: 2·n·fan_in·fan_out per matmul; forward and dW for the
    first layer, forward, dW and dX for the others."""
    pairs = list(itertools.pairwise(sizes))
    return sum(2.0 * n * i * o * (2 if k == 0 else 3) for k, (i, o) in enumerate(pairs))
