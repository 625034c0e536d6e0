"""``glassnet train --checkpoint / --resume``: SIGTERM checkpoints and exits 75 without
writing --out; the resumed command ends with the model of an uninterrupted one; a changed
table is refused (its preprocessing and split are part of the fingerprinted run)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import glassnet as gn
from glassnet.cli import main

SRC = Path(__file__).parents[2] / "src"


def table(path: Path, rows: int = 1500, change: float = 0.0) -> Path:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((rows, 4))
    X[0, 0] += change
    label = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    lines = ["a,b,c,d,label"] + [
        ",".join(f"{v:.5f}" for v in r) + f",{t}" for r, t in zip(X, label, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def train(*extra: str) -> list[str]:
    return ["train", "--target", "label", "--epochs", "120", "--patience", "0", "--quiet", *extra]


def test_sigterm_then_resume_gives_the_uninterrupted_model(tmp_path: Path) -> None:
    data = table(tmp_path / "d.csv")
    ref, out, ckpt = (
        tmp_path / "ref.safetensors",
        tmp_path / "m.safetensors",
        tmp_path / "run.ckpt",
    )
    assert main(train(str(data), "--out", str(ref))) == 0
    command = [sys.executable, "-m", "glassnet", *train(str(data), "--out", str(out))]
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    p = subprocess.Popen(
        [*command, "--checkpoint", str(ckpt), "--checkpoint-every", "10 steps"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not ckpt.exists() and time.monotonic() < deadline:  # training has started
        time.sleep(0.05)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=60)
    if p.returncode == 0:  # finished before the signal arrived: nothing was interrupted
        assert out.exists()
    else:
        assert p.returncode == 75, err
        assert "interrupted (SIGTERM)" in err and f"--resume {ckpt}" in err and not out.exists()
    assert main([*command[3:], "--resume", str(ckpt)]) == 0
    np.testing.assert_array_equal(gn.load(out).network.P, gn.load(ref).network.P)
    assert gn.load(out).metadata["preprocessing"] == gn.load(ref).metadata["preprocessing"]


def test_resume_on_a_changed_table_is_refused(tmp_path: Path, capsys: object) -> None:
    data, ckpt = table(tmp_path / "d.csv"), tmp_path / "run.ckpt"
    args = train(str(data), "--out", str(tmp_path / "m.safetensors"), "--epochs", "2")
    assert main([*args, "--checkpoint", str(ckpt)]) == 0
    table(data, change=0.001)  # one cell of 6,000
    assert main([*args, "--resume", str(ckpt)]) == 2
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert "cannot resume from" in err and "other data" in err and err.count("\n") == 1
