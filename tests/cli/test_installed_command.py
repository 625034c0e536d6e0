"""The installed ``glassnet`` command in a subprocess: exit codes, stderr, untouched files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

GLASSNET = shutil.which("glassnet", path=str(Path(sys.executable).parent))


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    assert GLASSNET, "the glassnet command is not installed next to this Python"
    return subprocess.run(
        [GLASSNET, *args], check=False, capture_output=True, text=True, timeout=120
    )


def test_version_and_help() -> None:
    r = _run("--version")
    assert r.returncode == 0 and r.stdout.startswith("glassnet ")
    r = _run("train", "--help")
    assert r.returncode == 0 and "--validation-split" in r.stdout


def test_train_predict_round_trip(data_dir: Path, tmp_path: Path) -> None:
    model = tmp_path / "m.safetensors"
    r = _run(
        "train",
        str(data_dir / "tiny.csv"),
        "--target",
        "label",
        "--out",
        str(model),
        "--epochs",
        "20",
        "--learning-rate",
        "0.05",
        "--patience",
        "0",
        "--ignore",
        "id",
    )
    assert r.returncode == 0, r.stderr
    assert "epoch 20/20" in r.stdout and f"saved {model}" in r.stdout and r.stderr == ""
    r = _run("predict", str(model), str(data_dir / "tiny.csv"))
    assert r.returncode == 0 and r.stdout.splitlines()[0] == "label"
    assert "ignoring column(s) the model does not use: id, label" in r.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--hidden", "64,abc"], "argument --hidden"),
        (["--epochs", "-1"], "argument --epochs"),
        (["--target", "nope"], "no column named 'nope'"),
    ],
)
def test_bad_input_exit_2_one_line_file_untouched(
    data_dir: Path, tmp_path: Path, args: list[str], fragment: str
) -> None:
    model = tmp_path / "m.safetensors"
    model.write_bytes(b"old model")
    argv = ["train", str(data_dir / "tiny.csv"), "--target", "label", "--out", str(model), *args]
    r = _run(*argv)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and fragment in r.stderr and "Traceback" not in r.stderr
    assert model.read_bytes() == b"old model"


def test_bad_model_file(data_dir: Path, tmp_path: Path) -> None:
    model = tmp_path / "m.safetensors"
    model.write_bytes(b"\x80\x04garbage")
    out = tmp_path / "p.csv"
    out.write_text("old predictions\n")
    r = _run("predict", str(model), str(data_dir / "tiny.csv"), "--out", str(out))
    assert r.returncode == 2 and "pickle" in r.stderr and r.stderr.count("\n") == 1
    assert out.read_text() == "old predictions\n"
    r = _run("--debug", "predict", str(model), str(data_dir / "tiny.csv"))
    assert r.returncode != 0 and "Traceback" in r.stderr


def test_closed_output_pipe_is_quiet(data_dir: Path, tmp_path: Path) -> None:
    model = tmp_path / "m.safetensors"
    assert (
        _run(
            "train",
            str(data_dir / "tiny.csv"),
            "--target",
            "label",
            "--out",
            str(model),
            "--epochs",
            "1",
            "--quiet",
        ).returncode
        == 0
    )
    assert GLASSNET
    p = subprocess.Popen(
        [GLASSNET, "predict", str(model), str(data_dir / "tiny.csv")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert p.stdout and p.stderr
    p.stdout.close()  # like `| head` exiting before glassnet writes
    err = p.stderr.read().decode()
    assert p.wait(timeout=60) == 0
    assert "Broken" not in err and "Traceback" not in err


def test_train_into_a_closed_pipe_still_saves(data_dir: Path, tmp_path: Path) -> None:
    model = tmp_path / "m.safetensors"
    assert GLASSNET
    p = subprocess.Popen(
        [
            GLASSNET,
            "train",
            str(data_dir / "wine.csv"),
            "--target",
            "cultivar",
            "--out",
            str(model),
            "--epochs",
            "30",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert p.stdout and p.stderr
    p.stdout.close()  # like `glassnet train ... | head -4`
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 0, err
    assert err == "" and model.exists()
