"""The profiling scripts in benchmarks/ still find what they time (no timing is asserted:
benchmarks never gate the suite). They reach into the training loop by name, so a renamed
piece would otherwise go unnoticed until someone runs them."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import glassnet as gn
from glassnet import kernels
from glassnet.bench.workload import synthetic
from glassnet.network import Network

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_medium_profile_times_every_piece_of_a_step() -> None:
    profile = _script("medium_profile")
    X, y = synthetic("medium")
    per_step, epochs, net = profile.in_the_loop(X, y, 1)
    names = {name for _, _, name in profile.PIECES}
    assert names <= set(per_step)  # every piece ran, in every step
    assert all(per_step[name] > 0 for name in names) and len(epochs) == 1
    if kernels.for_layer() is not None:  # the compiled kernels inside the passes, too
        assert {"forward", "backward"} <= set(per_step)
    # the timers are taken off again
    assert "timed" not in Network.propagate.__qualname__
    alone = profile.alone(net, X, y)
    assert {"_batch", "step"} <= set(alone)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_dropin_floor_loop_trains() -> None:
    floor = _script("dropin_floor")
    X, X_test, y, y_test = gn.datasets.load_digits()
    P, losses = floor.lean_fit(np.ascontiguousarray(X), y, epochs=20)
    assert losses[-1] < losses[0] / 5
    assert floor.lean_accuracy(P, X_test, y_test) > 0.9
