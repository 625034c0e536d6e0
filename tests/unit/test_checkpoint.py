"""Checkpoints and exact resume (issue 13, points 1-3): a resumed run is the same run."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import glassnet as gn
from glassnet.training import CheckpointWarning, read_checkpoint


def data(rng: np.random.Generator, n: int = 150) -> tuple[np.ndarray, np.ndarray]:
    X = rng.standard_normal((n, 5))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5)


def net(dtype: str = "float64") -> gn.Network:
    return gn.Network([5, 16, 3], loss="cross_entropy", dropout=0.2, dtype=dtype, seed=1)


OPTIONS: dict[str, Any] = {
    "epochs": 12,
    "batch_size": 16,
    "optimizer": "adamw",
    "schedule": "cosine",
    "validation_split": 0.2,
    "early_stopping": True,
    "patience": 4,
    "seed": 3,
}


def stop_after(epoch: int) -> Any:
    def callback(net: gn.Network, h: gn.History) -> None:
        if h.epochs == epoch:
            raise KeyboardInterrupt  # as a kill after this epoch would

    return callback


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("every", [1, 3, "7 steps", "1 step"])
def test_resumed_run_ends_as_the_uninterrupted_one(
    rng: np.random.Generator, tmp_path: Path, dtype: str, every: int | str
) -> None:
    X, y = data(rng)
    ref = net(dtype)
    h_ref = ref.fit(X, y, **OPTIONS)
    ckpt = tmp_path / "run.ckpt"
    first = net(dtype)
    first.fit(X, y, checkpoint=ckpt, checkpoint_every=every, callbacks=[stop_after(5)], **OPTIONS)
    again = net(dtype)
    h = again.fit(X, y, resume=ckpt, **OPTIONS)
    np.testing.assert_array_equal(again.P, ref.P)  # bitwise
    assert h.history == h_ref.history
    assert (h.epochs, h.best_epoch, h.stop_reason) == (
        h_ref.epochs,
        h_ref.best_epoch,
        h_ref.stop_reason,
    )
    # the finished run's checkpoint resumes to the same end at once
    done = net(dtype)
    h_done = done.fit(X, y, resume=ckpt, **OPTIONS)
    np.testing.assert_array_equal(done.P, ref.P)
    assert h_done.history == h_ref.history and read_checkpoint(ckpt).state["position"]["finished"]


def test_sigterm_writes_a_checkpoint_and_stops_cleanly(
    rng: np.random.Generator, tmp_path: Path
) -> None:
    X, y = data(rng)
    options = {**OPTIONS, "early_stopping": False, "schedule": "step"}
    ref = net()
    ref.fit(X, y, **options)
    ckpt = tmp_path / "run.ckpt"

    def terminate(net: gn.Network, h: gn.History) -> None:
        if h.epochs == 4:
            os.kill(os.getpid(), signal.SIGTERM)  # the scheduler's notice, inside epoch 5

    previous = signal.getsignal(signal.SIGTERM)
    first = net()
    h = first.fit(X, y, checkpoint=ckpt, checkpoint_every=100, callbacks=[terminate], **options)
    assert h.stop_reason is not None and h.stop_reason.startswith("interrupted (SIGTERM)")
    assert f"checkpoint written to {ckpt}" in h.stop_reason
    assert h.epochs == 4 and signal.getsignal(signal.SIGTERM) is previous  # handler put back
    again = net()
    again.fit(X, y, resume=ckpt, **options)
    np.testing.assert_array_equal(again.P, ref.P)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"X": 1}, r"other data \(train\)"),
        ({"epochs": 13}, r"other fit \(epochs\)"),
        ({"optimizer": "adam"}, r"other optimizer \(class\)"),
        ({"optimizer": gn.AdamW(weight_decay=0.1)}, r"other optimizer \(hyperparameters\)"),
        ({"schedule": "step"}, "another schedule"),
        ({"net": [5, 8, 3]}, r"another network \(sizes\)"),
    ],
)
def test_another_run_is_refused_in_one_line(
    rng: np.random.Generator, tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    X, y = data(rng)
    ckpt = tmp_path / "run.ckpt"
    net().fit(X, y, checkpoint=ckpt, **{**OPTIONS, "epochs": 2})
    options = {
        **OPTIONS,
        "epochs": 2,
        **{k: v for k, v in change.items() if k not in ("X", "net")},
    }
    if "epochs" in change:
        options["epochs"] = change["epochs"]
    Xr = X + 1e-9 if "X" in change else X
    other = gn.Network(
        change.get("net", [5, 16, 3]), loss="cross_entropy", dropout=0.2, seed=1, dtype="float64"
    )
    before = other.P.copy()
    with pytest.raises(ValueError, match=message) as info:
        other.fit(Xr, y, resume=ckpt, **options)
    assert "\n" not in str(info.value) and "resume_force=True" in str(info.value)
    np.testing.assert_array_equal(other.P, before)  # refused before anything changed


def test_a_refused_resume_leaves_the_network_generator_alone(
    rng: np.random.Generator, tmp_path: Path
) -> None:
    X, y = data(rng)
    ckpt = tmp_path / "run.ckpt"
    options = {**OPTIONS, "seed": None, "epochs": 2}
    net().fit(X, y, checkpoint=ckpt, **options)
    other = net()
    state = other.rng.bit_generator.state
    with pytest.raises(ValueError, match="other data"):
        other.fit(X[:-1], y[:-1], resume=ckpt, **options)
    assert other.rng.bit_generator.state == state


def test_resume_force_continues_on_other_data(rng: np.random.Generator, tmp_path: Path) -> None:
    X, y = data(rng)
    ckpt = tmp_path / "run.ckpt"
    net().fit(X, y, checkpoint=ckpt, callbacks=[stop_after(2)], **OPTIONS)
    h = net().fit(X + 0.01, y, resume=ckpt, resume_force=True, **OPTIONS)
    assert (
        h.epochs > 2
        and h.loss[:2] == read_checkpoint(ckpt).state["history"]["history"]["loss"][:2]
    )


def test_a_failed_write_warns_once_and_keeps_the_previous_checkpoint(
    rng: np.random.Generator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    X, y = data(rng)
    ckpt = tmp_path / "run.ckpt"
    net().fit(X, y, checkpoint=ckpt, **{**OPTIONS, "epochs": 2})
    before = ckpt.read_bytes()
    real_fsync = os.fsync

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.warns(CheckpointWarning, match="No space left on device") as caught:
        h = net().fit(X, y, checkpoint=ckpt, **{**OPTIONS, "early_stopping": False})
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert len([w for w in caught if w.category is CheckpointWarning]) == 1  # once, not per epoch
    assert h.epochs == 12  # training went on
    assert ckpt.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == [
        "run.ckpt"
    ]


def test_a_read_only_folder_warns_and_training_goes_on(
    rng: np.random.Generator, tmp_path: Path
) -> None:
    if os.geteuid() == 0:  # root writes anywhere: make the "folder" a file instead
        folder = tmp_path / "not-a-folder"
        folder.write_text("")
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
    X, y = data(rng)
    with pytest.warns(CheckpointWarning, match="could not write the checkpoint"):
        h = net().fit(X, y, checkpoint=folder / "run.ckpt", **{**OPTIONS, "epochs": 3})
    assert h.epochs == 3


def test_checkpoint_every_takes_epochs_steps_or_seconds(
    rng: np.random.Generator, tmp_path: Path
) -> None:
    X, y = data(rng)
    for every in (2, "2 epochs", "5 steps", "0.001 s", "1 min"):
        ckpt = tmp_path / "run.ckpt"
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            net().fit(X, y, checkpoint=ckpt, checkpoint_every=every, epochs=3)
        assert read_checkpoint(ckpt).state["position"]["epoch"] == 3
    for bad in (0, "5 parsecs", "1.5 steps", "-1 s", True):
        with pytest.raises(ValueError, match="checkpoint_every="):
            net().fit(X, y, checkpoint=tmp_path / "x.ckpt", checkpoint_every=bad)


def test_a_missing_or_damaged_checkpoint_is_refused(
    rng: np.random.Generator, tmp_path: Path
) -> None:
    X, y = data(rng)
    with pytest.raises(FileNotFoundError):
        net().fit(X, y, resume=tmp_path / "none.ckpt")
    ckpt = tmp_path / "run.ckpt"
    net().fit(X, y, checkpoint=ckpt, epochs=1)
    raw = ckpt.read_bytes()
    ckpt.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(gn.saving.ModelFileError, match="truncated"):
        net().fit(X, y, resume=ckpt, epochs=1)


def test_a_resumed_run_keeps_the_blas_thread_setting_its_trial_chose(
    rng: np.random.Generator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from glassnet import threads

    monkeypatch.setattr(threads, "SMALL_PRODUCT", 0)  # every fit times 1 thread against all
    X, y = data(rng)
    ckpt = tmp_path / "run.ckpt"
    options = {**OPTIONS, "early_stopping": False}
    ref = net()
    ref.fit(X, y, **options)
    net().fit(X, y, checkpoint=ckpt, callbacks=[stop_after(3)], **options)
    saved = read_checkpoint(ckpt).state["threads"]
    assert saved["decided"]  # the trial ended within the first epoch's steps
    again = net()
    h = again.fit(X, y, resume=ckpt, **options)
    assert h.blas_threads == saved["choice"]  # no second trial: the same setting
    assert h.gemm == saved["gemm"] and saved["gemm"] in ("numpy", "mkl")  # (MKL where installed)
    assert np.linalg.norm(again.P - ref.P) <= 1e-12 * np.linalg.norm(ref.P)


@pytest.mark.parametrize("saved_on, resumed_with", [("numpy", "mkl"), ("mkl", "missing")])
def test_a_resumed_run_takes_the_gemm_the_environment_fixes_or_can_run(
    saved_on: str, resumed_with: str, rng: np.random.Generator, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """GLASSNET_GEMM fixes the GEMM of a resumed run too; a run that chose MKL resumes on
    NumPy where MKL is missing."""
    from glassnet import threads
    from glassnet.kernels import mkl

    monkeypatch.setattr(threads, "SMALL_PRODUCT", 0)
    X, y = data(rng)
    ckpt = tmp_path / "run.ckpt"
    options = {**OPTIONS, "early_stopping": False}
    monkeypatch.setenv("GLASSNET_GEMM", saved_on)
    net().fit(X, y, checkpoint=ckpt, callbacks=[stop_after(3)], **options)
    assert read_checkpoint(ckpt).state["threads"]["gemm"] == saved_on
    if resumed_with == "missing":
        monkeypatch.delenv("GLASSNET_GEMM")
        monkeypatch.setattr(mkl, "available", lambda: False)
    else:
        monkeypatch.setenv("GLASSNET_GEMM", resumed_with)
    h = net().fit(X, y, resume=ckpt, **options)
    assert h.gemm == ("numpy" if resumed_with == "missing" else resumed_with)


def test_a_fit_without_checkpoints_imports_no_checkpoint_reading() -> None:
    """Reading checkpoints (and the model-file checks it shares) is imported on first use:
    a first fit without checkpoints spends ~15 ms less in imports."""
    code = (
        "import sys, numpy as np, glassnet as gn\n"
        "net = gn.Network([4, 3, 2], loss='cross_entropy')\n"
        "net.fit(np.zeros((8, 4)), np.arange(8) % 2, epochs=1, verbose=0)\n"
        "print(sorted(m for m in ('glassnet.saving', 'glassnet.training.resume') if m in sys.modules))\n"
        "from glassnet.training import read_checkpoint\n"
        "print(read_checkpoint.__module__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "glassnet.training.resume"]
