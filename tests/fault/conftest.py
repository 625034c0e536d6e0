"""The files the hostile-file tests start from: a small model file and a checkpoint."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn


@pytest.fixture(scope="session")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("hostile")
    net = gn.Network([3, 4, 2], loss="cross_entropy", dtype="float64", seed=0)
    net.metadata = {"feature_names": ["a", "b", "c"], "class_labels": ["x", "y"]}
    X = np.random.default_rng(0).standard_normal((20, 3))
    y = (X[:, 0] > 0).astype(int)
    net.fit(
        X, y, epochs=2, batch_size=8, checkpoint=folder / "run.ckpt", checkpoint_every="3 steps"
    )
    net.save(folder / "m.safetensors")
    return {
        "model": (folder / "m.safetensors").read_bytes(),
        "checkpoint": (folder / "run.ckpt").read_bytes(),
    }
