"""Bad input never crashes and never loses anything: one line on stderr, exit 2, no traceback,
and an existing output file left byte-for-byte as it was."""

from __future__ import annotations

import csv
import json
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest

from glassnet.cli import main

PREVIOUS = b"previous contents that must survive\n"


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _fails(
    capsys: pytest.CaptureFixture[str], argv: list[str], *expected: str, code: int = 2
) -> str:
    """Run argv, expect exit ``code`` and one line on stderr holding every expected fragment."""
    status = main(argv)
    err = capsys.readouterr().err
    assert status == code, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for fragment in expected:
        assert fragment in err, err
    return err


@pytest.fixture
def out(tmp_path: Path) -> Path:
    path = tmp_path / "existing.safetensors"
    path.write_bytes(PREVIOUS)
    return path


def _csv(tmp_path: Path, text: str | bytes) -> str:
    path = tmp_path / "d.csv"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(path)


DATA_CASES = {
    "missing": (None, "no such file"),
    "empty": ("", "the file is empty"),
    "header only": ("a,b,y\n", "a header row but no data rows"),
    "binary": (bytes(range(256)) * 8, "binary data"),
    "no target": ("a,b,z\n1,2,3\n", "no column named 'y'"),
    "inf": ("a,b,y\n1,2,p\ninf,2,q\n", "line 3, column 'a': inf is infinite"),
    "ragged short": ("a,b,y\n1,2,p\n1,2\n", "line 3: 2 fields but the header has 3 columns"),
    "ragged long": ("a,b,y\n1,2,p\n1,2,q,4\n", "line 3: 4 fields but the header has 3"),
    "unclosed quote": ('a,b,y\n1,2,p\n1,"2,q\n', 'line 3: a quote (") opens a field'),
    "blank lines only": ("a,b,y\n\n\n", "a header row but no data rows"),
    "target all missing": ("a,b,y\n1,2,\n3,4,NA\n", "the target is missing on every one"),
    "one class": ("a,b,y\n1,2,p\n3,4,p\n5,6,p\n", "only one class ('p') in 3 rows"),
}


@pytest.mark.parametrize("case", sorted(DATA_CASES))
def test_bad_training_data(
    tmp_path: Path, out: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    text, message = DATA_CASES[case]
    data = str(tmp_path / "missing.csv") if text is None else _csv(tmp_path, text)
    err = _fails(
        capsys, ["train", data, "--target", "y", "--out", str(out), "--epochs", "1"], message
    )
    assert err.startswith("glassnet train: error: ")
    assert out.read_bytes() == PREVIOUS


def test_regression_target_must_be_numbers(
    tmp_path: Path, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _csv(tmp_path, "a,y\n1,2.5\n2,oops\n3,4\n")
    _fails(
        capsys,
        ["train", data, "--target", "y", "--out", str(out), "--task", "regression"],
        "line 3, column 'y': 'oops' is not a finite number",
    )
    assert out.read_bytes() == PREVIOUS


OPTION_CASES = {
    "hidden not integer": (["--hidden", "64,x"], "argument --hidden: expected comma-separated"),
    "hidden zero": (["--hidden", "64,0"], "(0 is not positive)"),
    "negative epochs": (["--epochs", "-3"], "argument --epochs: expected a positive integer"),
    "epochs text": (["--epochs", "many"], "argument --epochs"),
    "zero learning rate": (["--learning-rate", "0"], "argument --learning-rate: expected"),
    "negative learning rate": (["--learning-rate", "-1e-3"], "argument --learning-rate"),
    "nan learning rate": (["--learning-rate", "nan"], "argument --learning-rate"),
    "split 0": (["--validation-split", "0"], "argument --validation-split: expected a fraction"),
    "split 1": (["--validation-split", "1"], "strictly between 0 and 1"),
    "split 1.5": (["--validation-split", "1.5"], "argument --validation-split"),
    "batch 0": (["--batch-size", "0"], "argument --batch-size"),
    "activation": (["--activation", "swish"], "argument --activation: invalid choice"),
    "optimizer": (["--optimizer", "lbfgs2"], "argument --optimizer: invalid choice"),
    "task": (["--task", "ranking"], "argument --task: invalid choice"),
    "unknown option": (["--epocs", "3"], "unrecognized arguments"),
}


@pytest.mark.parametrize("case", sorted(OPTION_CASES))
def test_bad_option_values(
    data_dir: Path, out: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    extra, message = OPTION_CASES[case]
    argv = ["train", str(data_dir / "tiny.csv"), "--target", "label", "--out", str(out), *extra]
    err = _fails(capsys, argv, message)
    assert "see glassnet train --help" in err
    assert out.read_bytes() == PREVIOUS


def test_missing_required_options(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fails(capsys, ["train", str(data_dir / "tiny.csv")], "required: --target, -o/--out")


def test_out_naming_a_folder_or_missing_folder(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["train", str(data_dir / "tiny.csv"), "--target", "label", "--epochs", "1"]
    _fails(capsys, [*base, "--out", str(tmp_path)], "--out", "is a folder")
    _fails(capsys, [*base, "--out", str(tmp_path / "no" / "m.st")], "does not exist")
    _fails(
        capsys,
        [*base, "--out", str(tmp_path / "m.st"), "--plot", str(tmp_path)],
        "--plot",
        "is a folder",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_predict_missing_columns_refused_extra_ignored(
    data_dir: Path, wine_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _csv(tmp_path, "alcohol,malic_acid,note\n13,2,hi\n")
    out = tmp_path / "p.csv"
    out.write_bytes(PREVIOUS)
    _fails(
        capsys,
        ["predict", str(wine_model), data, "--out", str(out)],
        "missing columns 'ash', 'alcalinity_of_ash'",
        "that the model needs",
    )
    assert out.read_bytes() == PREVIOUS


def test_predict_bad_value_names_row_and_column(
    data_dir: Path, wine_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = (data_dir / "wine.csv").read_text().splitlines()
    lines[5] = lines[5].replace(lines[5].split(",")[2], "oops", 1)
    data = _csv(tmp_path, "\n".join(lines) + "\n")
    out = tmp_path / "p.csv"
    out.write_bytes(PREVIOUS)
    _fails(
        capsys,
        ["predict", str(wine_model), data, "--out", str(out)],
        "line 6, column 'ash': 'oops' is not a number",
    )
    assert out.read_bytes() == PREVIOUS


def test_evaluate_unknown_label(
    wine_model: Path, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (data_dir / "wine.csv").read_text().replace("class_2", "class_9", 1)
    _fails(
        capsys,
        ["evaluate", str(wine_model), _csv(tmp_path, text), "--target", "cultivar"],
        "label 'class_9' is not one the model knows",
    )


def _model_bytes(wine_model: Path, case: str) -> bytes:
    data = wine_model.read_bytes()
    if case == "truncated":
        return data[: len(data) // 2]
    if case == "random bytes":
        return bytes(np.random.default_rng(1).integers(0, 256, 3000, dtype=np.uint8))
    if case == "pickle":
        return pickle.dumps({"layer1.W": np.zeros((2, 2))})
    if case == "csv":
        return b"alcohol,malic_acid\n1,2\n"
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    if case == "tampered header":
        header["layer2.W"]["shape"] = [32, 64]
    else:  # newer format version
        header["__metadata__"]["format_version"] = "7"
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + data[8 + n :]


MODEL_CASES = {
    "truncated": "truncated",
    "random bytes": "not a glassnet model file",
    "pickle": "looks like a Python pickle, which glassnet never loads",
    "csv": "looks like a text file (a CSV?)",
    "tampered header": "tensor layer2.W has shape [32, 64] but the architecture needs [64, 32]",
    "newer version": "written by a newer glassnet (format version 7",
}


@pytest.mark.parametrize("case", sorted(MODEL_CASES))
@pytest.mark.parametrize("command", ["predict", "evaluate", "export", "gradcheck"])
def test_bad_model_files(
    wine_model: Path,
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: str,
    command: str,
) -> None:
    model = tmp_path / "bad.safetensors"
    model.write_bytes(_model_bytes(wine_model, case))
    out = tmp_path / "out.file"
    out.write_bytes(PREVIOUS)
    argv = {
        "predict": ["predict", str(model), str(data_dir / "wine.csv"), "--out", str(out)],
        "evaluate": ["evaluate", str(model), str(data_dir / "wine.csv")],
        "export": ["export", str(model), "--out", str(out)],
        "gradcheck": ["gradcheck", str(model)],
    }[command]
    _fails(capsys, argv, str(model), MODEL_CASES[case])
    assert out.read_bytes() == PREVIOUS


def test_missing_model_file(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fails(
        capsys,
        ["predict", str(tmp_path / "none.safetensors"), str(data_dir / "tiny.csv")],
        "none.safetensors: no such model file",
    )


def test_failed_save_keeps_the_old_model(
    data_dir: Path, out: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    def no_space(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    _fails(
        capsys,
        [
            "train",
            str(data_dir / "tiny.csv"),
            "--target",
            "label",
            "--out",
            str(out),
            "--epochs",
            "1",
            "--quiet",
        ],
        "could not write the file",
        "No space left",
        code=1,
    )
    assert out.read_bytes() == PREVIOUS
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]


def test_predict_without_feature_names_counts_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import glassnet as gn

    model = gn.Network([2, 3, 2], loss="cross_entropy", seed=0).save(tmp_path / "m.safetensors")
    data = write_csv(tmp_path / "d.csv", ["a", "b", "c"], [[1, 2, 3]])
    _fails(capsys, ["predict", str(model), str(data)], "3 feature columns but the model takes 2")
    data = write_csv(tmp_path / "d.csv", ["a", "b"], [[1, 2]])
    assert main(["predict", str(model), str(data), "--proba"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "prediction,proba_0,proba_1"


def test_ignore_option(data_dir: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["train", str(data_dir / "tiny.csv"), "--target", "label", "--out", str(out)]
    _fails(capsys, [*base, "--ignore", "idd"], "no column named 'idd' (to --ignore)")
    _fails(capsys, [*base, "--ignore", "id,label"], "--ignore label: that is the --target column")
    assert out.read_bytes() == PREVIOUS
    assert main([*base, "--ignore", "id", "--epochs", "1", "--quiet"]) == 0
    import glassnet as gn

    assert gn.load(out).columns == ["a", "b"]
    assert main([*base, "--ignore", "id", "--ignore", "a", "--epochs", "1", "--quiet"]) == 0
    assert gn.load(out).columns == ["b"]  # every --ignore counts
    _fails(capsys, [*base, "--ignore", "a", "--numeric", "a"], "given to both --ignore and")


def test_diverged_training_keeps_the_old_model(
    data_dir: Path, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fails(
        capsys,
        [
            "train",
            str(data_dir / "diabetes.csv"),
            "--target",
            "progression",
            "--out",
            str(out),
            "--optimizer",
            "sgd",
            "--learning-rate",
            "1e6",
            "--epochs",
            "3",
        ],
        "training diverged: the cost became",
        "was not written",
        code=1,
    )
    assert out.read_bytes() == PREVIOUS


def test_ctrl_c_during_training_keeps_the_old_model(
    data_dir: Path, out: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from glassnet import training

    real_epoch = training._Loop._batches
    calls = []

    def interrupted_epoch(self: object, *args: object) -> object:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_epoch(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(training._Loop, "_batches", interrupted_epoch)
    code = main(
        [
            "train",
            str(data_dir / "tiny.csv"),
            "--target",
            "label",
            "--out",
            str(out),
            "--epochs",
            "10",
            "--quiet",
        ]
    )
    err = capsys.readouterr().err
    assert code == 130 and "interrupted (Ctrl-C) during epoch 3" in err and "not written" in err
    assert out.read_bytes() == PREVIOUS
