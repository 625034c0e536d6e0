"""``mpiexec -n 2 glassnet train``: one model file, written by rank 0, equal to one process's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

import glassnet as gn
from glassnet.cli import main

BIN = Path(sys.executable).parent  # mpiexec (the mpich wheel's) and glassnet live beside python
OPTIONS = ["--target", "cultivar", "--epochs", "8", "--batch-size", "16", "--seed", "0"]


def mpi_glassnet(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [str(BIN / "mpiexec"), "-n", "2", str(BIN / "glassnet"), *args]
    return subprocess.run(
        cmd, check=False, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120
    )


def test_mpiexec_train_writes_one_model_equal_to_one_process(
    data_dir: Path, tmp_path: Path
) -> None:
    data, model = str(data_dir / "wine.csv"), tmp_path / "mpi.safetensors"
    r = mpi_glassnet("train", data, "--out", str(model), *OPTIONS)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("saved ") == 1 and r.stdout.count("data: ") == 1  # rank 0 alone prints
    assert [p.name for p in tmp_path.iterdir()] == ["mpi.safetensors"]  # one file, no leftovers
    one = tmp_path / "one.safetensors"
    assert main(["train", data, "--out", str(one), "--quiet", *OPTIONS]) == 0
    a, b = gn.load(model), gn.load(one)
    assert a.sizes == b.sizes and a.metadata["training"]["epochs"] == 8
    P, Q = a.network.P, b.network.P  # gn.load gives a Model: preprocessing + network
    assert np.linalg.norm(P - Q) / np.linalg.norm(Q) < 1e-4  # float32: same model


def test_mpiexec_train_error_ends_every_rank(tmp_path: Path) -> None:
    out = tmp_path / "model.safetensors"
    r = mpi_glassnet("train", str(tmp_path / "missing.csv"), "--out", str(out), *OPTIONS)
    assert r.returncode == 2 and "glassnet train: error:" in r.stderr and "missing.csv" in r.stderr
    assert not out.exists()
